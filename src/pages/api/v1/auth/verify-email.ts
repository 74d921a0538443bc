import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { handle, setSessionCookie } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Confirms an email address with the token from the mail and the account's password, and signs in. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts, config }) => {
    const body = await readJsonBody(context.request);
    const { token, account, expiresAt } = await accounts.confirmEmailAndSignIn(body.token, body.password);
    setSessionCookie(context.cookies, token, expiresAt, config.publicUrl);
    return jsonResponse({ account });
  });
