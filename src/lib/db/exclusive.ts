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

/**
 * A PostgreSQL session-level advisory lock, held on a connection of its own for as long as the work
 * runs. A crash, or the server closing the connection, releases it.
 */
export function advisoryLock(client: Sql, key: bigint): ExclusiveLock {
  return {
    async tryRun(work) {
      const connection = await client.reserve();
      try {
        const [row] = await connection`select pg_try_advisory_lock(${key.toString()}::bigint) as locked`;
        if (!row?.locked) return { ran: false };
        try {
          return { ran: true, value: await work() };
        } finally {
          await connection`select pg_advisory_unlock(${key.toString()}::bigint)`.catch(() => undefined); // a lost connection released it already
        }
      } finally {
        connection.release();
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
