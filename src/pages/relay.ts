import type { APIRoute } from 'astro';
import { hitRateLimit } from '../lib/auth/rate-limit.ts';
import { ProblemError } from '../lib/errors.ts';
import { readBodyWithin } from '../lib/http/problem.ts';
import { refuseCodeFetch, withRelayAnswerHeaders } from '../lib/relay/answer-headers.ts';
import { DEFAULT_LIMITS, declaredRequestHeaders, declaredServers, relay } from '../lib/relay/relay.ts';
import { handle } from '../lib/server/http.ts';

export const prerender = false;

const RELAY_PER_MINUTE = 60;

/**
 * The try-it relay: `/relay?url=<target>` (or `?scalar_url=`, as Scalar's proxyUrl sends it) with
 * any method, headers and body. Only servers the specs declare; see src/lib/relay/relay.ts. Every
 * answer, refusals included, is made inert data (src/lib/relay/answer-headers.ts).
 */
export const ALL: APIRoute = async (context) =>
  withRelayAnswerHeaders(
    await handle(context, async ({ catalog, config, database }) => {
      refuseCodeFetch(context.request.headers);
      const target = context.url.searchParams.get('url') ?? context.url.searchParams.get('scalar_url');
      if (!target) throw new ProblemError(400, 'relay-no-target', 'Say which URL to call: /relay?url=<the operation URL>.');
      const who = context.locals.account?.id ?? `ip:${context.clientAddress}`;
      const limit = await hitRateLimit(database.db, `relay:${who}`, RELAY_PER_MINUTE, 60);
      if (!limit.allowed) {
        throw new ProblemError(429, 'relay-rate-limit', `You have tried ${RELAY_PER_MINUTE} requests in a minute from the portal; try again in ${limit.retryAfterSeconds} seconds.`, {
          headers: { 'retry-after': String(limit.retryAfterSeconds) },
        });
      }
      // Read up to the relay's limit and no further: a larger body is refused before it is all in memory.
      const tooLarge = () => new ProblemError(413, 'relay-request-too-large', `The request body is larger than the ${Math.round(DEFAULT_LIMITS.maxRequestBytes / 1024)} KiB the portal relays.`);
      const body = ['GET', 'HEAD'].includes(context.request.method) ? undefined : await readBodyWithin(context.request, DEFAULT_LIMITS.maxRequestBytes, tooLarge);
      // Signed in without a session: the middleware took the Authorization header as a personal access token.
      const authorizationIsPortalCredential = context.locals.account !== undefined && context.locals.session === undefined && context.request.headers.has('authorization');
      const answer = await relay(
        { method: context.request.method, target, headers: context.request.headers, body, authorizationIsPortalCredential },
        { ...DEFAULT_LIMITS, servers: declaredServers(catalog), requestHeaders: declaredRequestHeaders(catalog), allowPrivate: new Set(config.relayAllowPrivate) },
      );
      return new Response(answer.status === 204 || answer.status === 304 ? null : new Uint8Array(answer.body), {
        status: answer.status,
        headers: { ...answer.headers, 'x-portico-relay': answer.url },
      });
    }),
  );
