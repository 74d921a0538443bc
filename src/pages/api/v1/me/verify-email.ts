import type { APIRoute } from 'astro';
import { handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Sends the verification mail again. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    await accounts.resendVerification(requireAccount(context).id, context.clientAddress);
    return new Response(null, { status: 202 });
  });
