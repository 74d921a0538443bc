import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { handle } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Confirms an email address with the token from the mail. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    const body = await readJsonBody(context.request);
    return jsonResponse({ account: await accounts.verifyEmail(body.token) });
  });
