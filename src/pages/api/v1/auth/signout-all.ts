import type { APIRoute } from 'astro';
import { clearSessionCookie, handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Ends every session of the signed-in account, on every device. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ sessions }) => {
    const account = requireAccount(context);
    await sessions.invalidateAll(account.id);
    clearSessionCookie(context.cookies);
    return new Response(null, { status: 204 });
  });
