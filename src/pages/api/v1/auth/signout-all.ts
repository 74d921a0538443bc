import type { APIRoute } from 'astro';
import { clearSessionCookie, handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Ends every session of the signed-in account on every device, and revokes its personal access tokens and outstanding links. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    const account = requireAccount(context);
    await accounts.revokeCredentials(account.id);
    clearSessionCookie(context.cookies);
    return new Response(null, { status: 204 });
  });
