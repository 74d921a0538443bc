import type { APIRoute } from 'astro';
import { handle, requireAccount } from '../../../../../lib/server/http.ts';

export const prerender = false;

/** Revokes one of the signed-in account's personal access tokens. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    await accounts.revokeAccessToken(requireAccount(context).id, String(context.params.id));
    return new Response(null, { status: 204 });
  });
