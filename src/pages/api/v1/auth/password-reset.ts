import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { handle } from '../../../../lib/server/http.ts';

export const prerender = false;

/**
 * `{email}` asks for a reset link (the answer is the same whether or not the account exists);
 * `{token, newPassword}` sets the new password.
 */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    const body = await readJsonBody(context.request);
    if (body.token !== undefined) {
      await accounts.resetPassword(body.token, body.newPassword);
      return jsonResponse({ reset: true, detail: 'Your password is changed. Every session, access token and other reset link of your account has stopped working; sign in with the new password.' });
    }
    await accounts.requestPasswordReset(body.email, context.clientAddress);
    return jsonResponse({ sent: true, detail: 'If an account has this address, a link to reset its password is on its way.' }, 202);
  });
