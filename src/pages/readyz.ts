import type { APIRoute } from 'astro';
import { sql } from 'drizzle-orm';
import { describeDbError } from '../lib/db/client.ts';
import { jsonResponse, problemResponse } from '../lib/http/problem.ts';
import { log } from '../lib/observability/log.ts';
import { getServerContext } from '../lib/server/context.ts';

export const prerender = false;

/**
 * Readiness: the database answers. The middleware already turned a failed start-up into a 503.
 * A failure is said in words with Retry-After; the driver's text stays in the log, since it can
 * name hosts, users or a query's values.
 */
export const GET: APIRoute = async ({ locals }) => {
  const { database } = await getServerContext();
  try {
    await database.db.execute(sql`select 1`);
  } catch (err) {
    log.warn('not ready: the database is not answering', { requestId: locals.requestId, error: describeDbError(err) });
    return problemResponse(
      503,
      'not-ready',
      "The portal's database is not answering right now (it may be restarting). The portal keeps trying to reach it; try again in a few seconds.",
      { 'retry-after': '5' },
      locals.requestId ? { requestId: locals.requestId } : {},
    );
  }
  return jsonResponse({ status: 'ready', database: database.engine });
};
