import type { APIContext, MiddlewareNext } from 'astro';
import { defineMiddleware } from 'astro:middleware';
import { describeError, PorticoError } from './lib/errors.ts';
import { checkSameOrigin, isStateChanging } from './lib/http/origin.ts';
import { inlineScriptHashes, isPrivatePath, pageCsp } from './lib/http/security-headers.ts';
import { errorToResponse, isDatabaseUnavailable, problemResponse } from './lib/http/problem.ts';
import { log } from './lib/observability/log.ts';
import { observeHttpRequest } from './lib/observability/metrics.ts';
import { requestIdFor } from './lib/observability/request-id.ts';
import { getServerContext, SESSION_COOKIE } from './lib/server/context.ts';
import { setSessionCookie } from './lib/server/http.ts';

/**
 * Every on-demand request gets an id (`Astro.locals.requestId`, the X-Request-Id response header,
 * and every log line about it), one access log line and one observation in
 * portico_http_request_duration_seconds. In between, this is the one place that turns a request's
 * credentials into `Astro.locals`: the session cookie, or a personal access token for scripts; it
 * also refuses state-changing requests from other origins.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const started = performance.now();
  const requestId = requestIdFor(context.request.headers.get('x-request-id'));
  context.locals.requestId = requestId;
  let response: Response;
  try {
    response = await authenticate(context, next, requestId);
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      // Signing in and pages alike: a restart of the database is temporary, and is said so in words.
      response = errorToResponse(err, requestId);
    } else {
      recordRequest(context, 500, started); // Astro renders its error page; the line and the count still happen
      throw err;
    }
  }
  response = withHeader(response, 'x-request-id', requestId);
  response = await withPagePolicy(response, context.url.pathname);
  recordRequest(context, response.status, started);
  return response;
});

/**
 * Server-rendered pages get a Content-Security-Policy that allows their own inline scripts by hash
 * (static pages get theirs from src/lib/server/serve.ts); account, application and admin pages and
 * the JSON about a person are never stored by a browser or a proxy.
 */
async function withPagePolicy(response: Response, pathname: string): Promise<Response> {
  if (isPrivatePath(pathname)) response = withHeader(response, 'cache-control', 'no-store');
  // A server island's answer is fetched into a page, never opened as one: the page's policy governs it.
  if (pathname.startsWith('/_server-islands/')) return response;
  if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/html') || response.headers.has('content-security-policy')) return response;
  const html = await response.text();
  const page = new Response(html, response);
  page.headers.set('content-security-policy', pageCsp(inlineScriptHashes(html)));
  return page;
}

async function authenticate(context: APIContext, next: MiddlewareNext, requestId: string): Promise<Response> {
  const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) => problemResponse(status, code, detail, headers, { requestId });
  // Liveness answers without the database; everything else needs it, and says so if it is not there.
  if (context.url.pathname === '/healthz') return next();
  let server;
  try {
    server = await getServerContext();
  } catch (err) {
    log.error(`the portal cannot serve requests: ${describeError(err)}`, { requestId });
    return problem(503, 'not-ready', `The portal cannot serve this yet: ${err instanceof PorticoError ? err.message : 'it could not start its services'}.`, { 'retry-after': '5' });
  }
  // The metrics scraper's bearer token is not a person's access token: the route checks it itself.
  if (context.url.pathname === '/metrics') return next();
  const { config } = server;

  const authorization = context.request.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  const cookie = context.cookies.get(SESSION_COOKIE)?.value;

  // On the relay, a bearer token that is not a portal token is the API's own credential, set in Try it.
  const portalToken = bearer && (bearer.startsWith('pat_') || context.url.pathname !== '/relay');
  if (bearer && portalToken && !cookie) {
    // A token in a header cannot be sent by another site's page, so it needs no origin check.
    const account = await server.accounts.accountForAccessToken(bearer);
    if (!account) return problem(401, 'invalid-token', 'The access token is not valid. Create a new one on your account page.');
    context.locals.account = account;
  } else {
    if (isStateChanging(context.request.method)) {
      const refusal = checkSameOrigin(context.request, [new URL(config.publicUrl).origin, context.url.origin]);
      if (refusal) return problem(403, 'cross-origin', `Refused: ${refusal}.`);
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
  return next();
}

/**
 * The access log line and the duration histogram. The path only, never the query string (it may
 * hold a token); the route label is Astro's route pattern (`/api/v1/applications/[id]`), so ids
 * never become label values.
 */
function recordRequest(context: APIContext, status: number, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const route = context.routePattern || 'unmatched';
  observeHttpRequest(context.request.method, route, status, seconds);
  log.request({
    requestId: context.locals.requestId,
    method: context.request.method,
    path: context.url.pathname,
    route,
    status,
    durationMs: Math.round(seconds * 10_000) / 10,
    accountId: context.locals.account?.id,
  });
}

/** Sets a header, on a copy when the response's headers are immutable (a redirect, a fetched response). */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}
