import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exclusiveLock } from '../../src/lib/db/exclusive.ts';
import { ADMIN_DATABASE_URL, ENGINES, freshPostgres, type TestDatabase } from '../support/databases.ts';
import { until } from '../support/http-client.ts';

/*
 * The Git writer's lock: one holder at a time, in one process and across processes, and taken again
 * after the database ended the connection it was held on (a restart, a failover). The lock once
 * waited for a connection from the shared pool (`reserve()`), and a wait that fell in a restart of
 * PostgreSQL never ended: the writer stopped for good (porsager/postgres#1195).
 */

const KEY = 7_471_113n;

/** Work that runs until `finish` is called, and says when it has started. */
function heldWork() {
  let finish!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      started = true;
      await done;
      return 'ran';
    },
    started: () => started,
    finish: () => finish(),
  };
}

describe.each(ENGINES)('the writer lock on %s', (_engine, open) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('has one holder at a time in one process, and is free again when the work ends', async () => {
    const lock = exclusiveLock(handle.db, KEY);
    const work = heldWork();
    const first = lock.tryRun(work.run);
    await until('the first holder to start its work', () => (work.started() ? true : undefined), 30, 10);
    expect(await lock.tryRun(async () => 'second')).toEqual({ ran: false });
    work.finish();
    expect(await first).toEqual({ ran: true, value: 'ran' });
    expect(await lock.tryRun(async () => 'third')).toEqual({ ran: true, value: 'third' });
  });
});

describe('the writer lock on PostgreSQL, across processes and connections', () => {
  let first: TestDatabase;
  let admin: postgres.Sql;
  beforeAll(async () => {
    first = await freshPostgres();
    admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await first?.close();
  });

  /** The server processes holding the advisory lock KEY in this test's database. */
  async function holders(): Promise<number[]> {
    const rows = await admin`select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and a.datname = ${new URL(first.url!).pathname.slice(1)} and l.objid = ${Number(KEY)}`;
    return rows.map((r) => Number(r.pid));
  }

  it('is held on a session of its own, which another portal instance sees', async () => {
    const { openDatabase } = await import('../../src/lib/db/client.ts');
    const second = await openDatabase({ url: first.url! });
    try {
      const work = heldWork();
      const running = exclusiveLock(first.db, KEY).tryRun(work.run);
      await until('the first instance to hold the lock', () => (work.started() ? true : undefined), 30, 10);
      expect(await holders()).toHaveLength(1);
      expect(await exclusiveLock(second.db, KEY).tryRun(async () => 'second')).toEqual({ ran: false });
      work.finish();
      await running;
      expect(await holders()).toEqual([]);
      expect(await exclusiveLock(second.db, KEY).tryRun(async () => 'second')).toEqual({ ran: true, value: 'second' });
    } finally {
      await second.close();
    }
  });

  it('is taken again after the server ended the connection it was held on', async () => {
    const lock = exclusiveLock(first.db, KEY);
    const work = heldWork();
    const running = lock.tryRun(work.run);
    await until('the lock to be held', async () => ((await holders()).length === 1 ? true : undefined), 30, 10);
    const [pid] = await holders();
    await admin`select pg_terminate_backend(${pid!})`;
    // The server released the lock with the session; the work itself goes on and ends normally.
    await until('the server to release the lock', async () => ((await holders()).length === 0 ? true : undefined), 30, 20);
    work.finish();
    expect(await running).toEqual({ ran: true, value: 'ran' });
    // The next pass takes the lock on a new connection, and does not wait for the dead one.
    const again = await until(
      'the lock to be taken again',
      async () => {
        const result = await lock.tryRun(async () => (await holders()).length);
        return result.ran ? result.value : undefined;
      },
      30,
      100,
    );
    expect(again).toBe(1);
  });
});
