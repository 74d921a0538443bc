import type { APIRoute } from 'astro';
import { readJsonBody } from '../../../../lib/http/problem.ts';
import { handle, requireAccount, setSessionCookie } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Changes the password; every other session and every personal access token ends, this session continues with a new token. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts, config }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    const { token, expiresAt } = await accounts.changePassword(account.id, { currentPassword: body.currentPassword, newPassword: body.newPassword });
    if (context.locals.session) setSessionCookie(context.cookies, token, expiresAt, config.publicUrl);
    return new Response(null, { status: 204 });
  });
