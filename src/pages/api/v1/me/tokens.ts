import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** The signed-in account's personal access tokens (names and dates; never the tokens). */
export const GET: APIRoute = (context) => handle(context, async ({ accounts }) => jsonResponse({ tokens: await accounts.listAccessTokens(requireAccount(context).id) }));

/** Creates a personal access token; the token is in this response only. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    return jsonResponse(await accounts.createAccessToken(account.id, body.name), 201);
  });
