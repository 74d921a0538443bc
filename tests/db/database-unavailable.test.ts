import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/postgres-js';
import { errorToResponse, isDatabaseUnavailable } from '../../src/lib/http/problem.ts';
import { ADMIN_DATABASE_URL, freshPostgres } from '../support/databases.ts';
import { until } from '../support/http-client.ts';

// What the driver and drizzle really throw when PostgreSQL goes away, not hand-made errors.
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('a database that is not answering', () => {
  it('is recognised when nothing listens at the address', async () => {
    const client = postgres('postgres://postgres@127.0.0.1:1/portico', { max: 1, connect_timeout: 2 });
    const err = await failure(() => drizzle(client).execute(sql`select 1`));
    await client.end();
    expect(isDatabaseUnavailable(err)).toBe(true);
    const res = errorToResponse(err, 'req-test-0001');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({
      code: 'database-unavailable',
      requestId: 'req-test-0001',
      detail: "The portal's database is not answering right now (it may be restarting). Nothing was changed; try again in a few seconds.",
    });
  });

  it('is recognised when the server ends the connection mid-query (a restart)', async () => {
    const handle = await freshPostgres();
    const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const pid = ((await handle.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as Array<{ pid: number }>)[0]!.pid;
      const sleeping = failure(() => handle.db.execute(sql`select pg_sleep(10)`));
      // Cut the connection mid-query, not before the query reached the server: wait until the server runs it.
      await until(
        'the server to be running pg_sleep',
        async () => ((await admin`select 1 from pg_stat_activity where pid = ${pid} and state = 'active' and query like '%pg_sleep%'`).length ? true : undefined),
        10,
        20,
      );
      await admin`select pg_terminate_backend(${pid})`;
      const err = await sleeping;
      expect(isDatabaseUnavailable(err)).toBe(true);
      // An ordinary SQL error is not mistaken for an outage.
      expect(isDatabaseUnavailable(await failure(() => handle.db.execute(sql`select * from no_such_table`)))).toBe(false);
    } finally {
      await admin.end();
      await handle.close();
    }
  });
});
