import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../lib/http/problem.ts';
import { clearSessionCookie, handle, requireAccount } from '../../../lib/server/http.ts';

export const prerender = false;

/** The signed-in account, its groups and whether it is an admin. */
export const GET: APIRoute = (context) => handle(context, async () => jsonResponse({ account: requireAccount(context) }));

/** Deletes the signed-in account. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    const account = requireAccount(context);
    await accounts.deleteAccount(account.id);
    clearSessionCookie(context.cookies);
    return new Response(null, { status: 204 });
  });
