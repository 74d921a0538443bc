import type { APIRoute } from 'astro';
import { ProblemError } from '../lib/errors.ts';
import { collectDatabaseGauges } from '../lib/observability/database-gauges.ts';
import { log } from '../lib/observability/log.ts';
import { metrics } from '../lib/observability/metrics.ts';
import { metricsRequestAllowed } from '../lib/observability/metrics-auth.ts';
import { handle } from '../lib/server/http.ts';

export const prerender = false;

/**
 * Prometheus metrics in the text format 0.0.4, written by prom-client (decision 16). Counts and
 * durations only, never an id or a secret, so it may be open; with PORTICO_METRICS_TOKEN set it
 * answers only that bearer token.
 */
export const GET: APIRoute = (context) =>
  handle(context, async ({ config, database }) => {
    if (!metricsRequestAllowed(context.request.headers.get('authorization'), config.metricsToken)) {
      throw new ProblemError(401, 'metrics-token', "This portal's metrics need a token: send Authorization: Bearer with the value of PORTICO_METRICS_TOKEN.", {
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
    }
    const requestId = context.locals.requestId;
    const body = await metrics.render([() => collectDatabaseGauges(database.db)], (err) => log.warn('a metrics collector failed; its metrics are left out of this scrape', { requestId, error: err }));
    return new Response(body, { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
  });
