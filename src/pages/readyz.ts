import type { APIRoute } from 'astro';
import { sql } from 'drizzle-orm';
import { jsonResponse, problemResponse } from '../lib/http/problem.ts';
import { getServerContext } from '../lib/server/context.ts';

export const prerender = false;

/** Readiness: the database answers. The middleware already turned a failed start-up into a 503. */
export const GET: APIRoute = async () => {
  const { database } = await getServerContext();
  try {
    await database.db.execute(sql`select 1`);
  } catch (err) {
    return problemResponse(503, 'not-ready', `The database does not answer: ${(err as Error).message.replace(/postgres(ql)?:\/\/[^@\s]*@/g, 'postgres://***@')}.`, { 'retry-after': '5' });
  }
  return jsonResponse({ status: 'ready', database: database.engine });
};
