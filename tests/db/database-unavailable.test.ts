import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/postgres-js';
import { POSTGRES_POOL_OPTIONS, reconnectDelaySeconds } from '../../src/lib/db/client.ts';
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

  it("tries a server again within a second, however many of the pool's connections failed while it was away", async () => {
    // The driver counts failed connections across the pool and waits longer after each: by default
    // 10 to 20 s once ten have failed, which any outage reaches. A request that landed on such a
    // connection after a restart waited that long for a server that was already back.
    const client = postgres('postgres://postgres@127.0.0.1:1/portico', POSTGRES_POOL_OPTIONS);
    try {
      for (let i = 0; i < 12; i++) expect(isDatabaseUnavailable(await failure(() => client`select 1`))).toBe(true);
      const failures = (client.options as unknown as { shared: { retries: number } }).shared.retries;
      expect(failures).toBeGreaterThanOrEqual(10);
      expect(client.options.backoff).toBe(reconnectDelaySeconds);
      for (let i = 0; i < 50; i++) expect(reconnectDelaySeconds(failures)).toBeLessThanOrEqual(1);
      // Still a backoff: the first retries come quickly, later ones are spread out up to the cap.
      expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.05);
      expect(reconnectDelaySeconds(failures)).toBeGreaterThanOrEqual(0.5);
    } finally {
      await client.end({ timeout: 1 });
    }
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
