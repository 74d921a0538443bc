import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { handle, setSessionCookie } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Creates a password account and signs it in. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts, config }) => {
    const body = await readJsonBody(context.request);
    await accounts.signUp({ email: body.email, password: body.password });
    const { token, account, expiresAt } = await accounts.signIn({ email: body.email, password: body.password }, context.clientAddress);
    setSessionCookie(context.cookies, token, expiresAt, config.publicUrl);
    return jsonResponse({ account }, 201);
  });
