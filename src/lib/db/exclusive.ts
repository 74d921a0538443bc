import type { Sql } from 'postgres';

/**
 * One holder at a time for some work, across every portal instance that shares the database. The
 * work runs with no database transaction open: it may take minutes (a Git push to a slow remote)
 * without holding back any other query.
 */
export interface ExclusiveLock {
  /** Runs `work` if nobody else holds the lock; `{ ran: false }` at once otherwise. */
  tryRun<T>(work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/** How long a lock query may take before the lock's connection is taken for broken. */
const LOCK_QUERY_SECONDS = 15;

/**
 * A PostgreSQL session-level advisory lock, taken on a pool of one connection that nothing else
 * uses (from `openLockClient`), so the lock's session is that connection. A crash, or the server
 * closing the connection, releases it. The advisory lock is re-entrant within its session, so
 * holders in this process are kept apart here first.
 *
 * Not `reserve()` on the shared pool: in postgres.js 3.4.9 a reserve that waits while the server
 * ends a connection never settles (porsager/postgres#1195), which stopped the Git writer for good
 * after a restart of PostgreSQL. A query sent just as the server ends the connection can also
 * leave the pool waiting forever, so each lock query has a deadline, and after any failure the
 * lock's pool is closed and a new one opened: the next pass starts clean.
 */
export function advisoryLock(openLockClient: () => Sql, key: bigint): ExclusiveLock {
  let held = false;
  let client: Sql | undefined;
  const query = async (text: 'lock' | 'unlock'): Promise<boolean> => {
    client ??= openLockClient();
    const current = client;
    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = text === 'lock' ? current`select pg_try_advisory_lock(${key.toString()}::bigint) as done` : current`select pg_advisory_unlock(${key.toString()}::bigint) as done`;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`the database did not answer the writer lock's query within ${LOCK_QUERY_SECONDS} s`), { code: 'ETIMEDOUT' })),
          LOCK_QUERY_SECONDS * 1000,
        );
      });
      const [row] = await Promise.race([sent, deadline]);
      return Boolean(row?.done);
    } catch (err) {
      if (client === current) client = undefined;
      void current.end({ timeout: 0 }).catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async tryRun(work) {
      if (held) return { ran: false };
      held = true;
      try {
        if (!(await query('lock'))) return { ran: false };
        try {
          return { ran: true, value: await work() };
        } finally {
          await query('unlock').catch(() => undefined); // a lost connection released it already
        }
      } finally {
        held = false;
      }
    },
  };
}

/** The embedded database allows one process per data directory: the lock is this process's own. */
export function processLock(): ExclusiveLock {
  let held = false;
  return {
    async tryRun(work) {
      if (held) return { ran: false };
      held = true;
      try {
        return { ran: true, value: await work() };
      } finally {
        held = false;
      }
    },
  };
}

const locks = new WeakMap<object, Map<bigint, ExclusiveLock>>();
const factories = new WeakMap<object, (key: bigint) => ExclusiveLock>();

/** Says how locks are taken on this database (set when it is opened). */
export function registerLockFactory(db: object, factory: (key: bigint) => ExclusiveLock): void {
  factories.set(db, factory);
}

/** The lock `key` on this database; the same object for every caller, so in-process holders see each other. */
export function exclusiveLock(db: object, key: bigint): ExclusiveLock {
  let byKey = locks.get(db);
  if (!byKey) locks.set(db, (byKey = new Map()));
  let lock = byKey.get(key);
  if (!lock) {
    lock = (factories.get(db) ?? (() => processLock()))(key);
    byKey.set(key, lock);
  }
  return lock;
}
