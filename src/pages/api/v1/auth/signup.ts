import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { SIGN_UP_SENT } from '../../../../lib/auth/accounts.ts';
import { handle, safeNext } from '../../../../lib/server/http.ts';

export const prerender = false;

/**
 * Starts a sign-up: the same 202 whether the address is new (it gets a confirmation link, which
 * signs in) or taken (its owner gets a mail), so the answer tells nobody who has an account.
 */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts, config }) => {
    const body = await readJsonBody(context.request);
    // Where the mailed link leads after confirming: a path on this portal, else the account page.
    const next = typeof body.next === 'string' ? safeNext(body.next, config.publicUrl) : undefined;
    await accounts.signUp({ email: body.email, password: body.password, next }, context.clientAddress);
    return jsonResponse({ sent: true, detail: SIGN_UP_SENT }, 202);
  });
