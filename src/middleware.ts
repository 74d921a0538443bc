import { defineMiddleware } from 'astro:middleware';
import { describeError, PorticoError } from './lib/errors.ts';
import { checkSameOrigin, isStateChanging } from './lib/http/origin.ts';
import { problemResponse } from './lib/http/problem.ts';
import { getServerContext, SESSION_COOKIE } from './lib/server/context.ts';
import { setSessionCookie } from './lib/server/http.ts';

/**
 * The one place that turns a request's credentials into `Astro.locals`: the session cookie, or a
 * personal access token for scripts. It also refuses state-changing requests from other origins.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const requestId = context.request.headers.get('x-request-id')?.slice(0, 64) || crypto.randomUUID();
  context.locals.requestId = requestId;
  // Liveness answers without the database; everything else needs it, and says so if it is not there.
  if (context.url.pathname === '/healthz') return next();
  let server;
  try {
    server = await getServerContext();
  } catch (err) {
    console.error(`portico: ${describeError(err)}`);
    return problemResponse(503, 'not-ready', `The portal cannot serve this yet: ${err instanceof PorticoError ? err.message : 'it could not start its services'}.`, { 'x-request-id': requestId, 'retry-after': '5' });
  }
  const { config } = server;

  const authorization = context.request.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const cookie = context.cookies.get(SESSION_COOKIE)?.value;

  if (bearer && !cookie) {
    // A token in a header cannot be sent by another site's page, so it needs no origin check.
    const account = await server.accounts.accountForAccessToken(bearer);
    if (!account) return problemResponse(401, 'invalid-token', 'The access token is not valid. Create a new one on your account page.', { 'x-request-id': requestId });
    context.locals.account = account;
  } else {
    if (isStateChanging(context.request.method)) {
      const refusal = checkSameOrigin(context.request, [new URL(config.publicUrl).origin, context.url.origin]);
      if (refusal) return problemResponse(403, 'cross-origin', `Refused: ${refusal}.`, { 'x-request-id': requestId });
    }
    if (cookie) {
      const valid = await server.sessions.validate(cookie);
      if (valid) {
        const account = await server.accounts.get(valid.session.accountId);
        if (account) {
          context.locals.account = account;
          context.locals.session = valid.session;
          if (valid.renewed) setSessionCookie(context.cookies, cookie, valid.session.expiresAt, config.publicUrl);
        }
      } else {
        context.cookies.delete(SESSION_COOKIE, { path: '/' });
      }
    }
  }
  const response = await next();
  response.headers.set('x-request-id', requestId);
  return response;
});
