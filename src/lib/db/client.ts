import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import * as schema from '../../../db/schema.ts';
import { PorticoError } from '../errors.ts';
import { advisoryLock, processLock, registerLockFactory } from './exclusive.ts';
import { redactText } from '../observability/redact.ts';

/** The database, whichever engine is behind it: PGlite and PostgreSQL share one code path. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  engine: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Seconds before a closed pool connection tries the server again. postgres.js counts failed
 * connections across the whole pool and by default waits up to 20 s once about ten have failed,
 * which every outage longer than a moment reaches: after a restart of PostgreSQL, a request that
 * landed on such a connection waited 10 to 20 s although the server was back (measured beside two
 * CPU-bound processes). Capped at 1 s here, with jitter so the connections do not retry in step:
 * requests during an outage still get their 503 at once, and the portal is back within a second of
 * the server. Ten connections each trying once a second is no load for a server that is starting.
 */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

/** How the portal's PostgreSQL pool is set up. */
export const POSTGRES_POOL_OPTIONS = { max: 10, onnotice: () => {}, connect_timeout: 10, backoff: reconnectDelaySeconds };

/** Where the generated migrations are, from the source tree or from a build running in the project. */
function migrationsFolder(): string {
  const candidates = [fileURLToPath(new URL('../../../db/migrations', import.meta.url)), path.resolve('db/migrations')];
  const found = candidates.find((c) => existsSync(path.join(c, 'meta/_journal.json')));
  if (!found) throw new PorticoError('cannot find the database migrations (db/migrations)', 'start Portico from the project folder');
  return found;
}

/**
 * Opens the database and applies pending migrations: PostgreSQL when `url` is set, otherwise
 * embedded PGlite in `pgliteDir` (in memory when that is undefined).
 * PGlite allows one process per data directory, and must be closed or the process hangs.
 */
export async function openDatabase(options: { url?: string; pgliteDir?: string }): Promise<DatabaseHandle> {
  const folder = migrationsFolder();
  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(options.url, POSTGRES_POOL_OPTIONS);
    const db = drizzle(client, { schema });
    try {
      await migrate(db, { migrationsFolder: folder });
    } catch (err) {
      await client.end({ timeout: 1 });
      throw new PorticoError(`cannot use the database at DATABASE_URL: ${describeDbError(err)}`, 'check that the server is running and the URL, user and database are right');
    }
    // The writer's lock has a connection of its own, opened when it is first taken (see advisoryLock).
    // No lifetime: the pool would close it while idle, and the connection is idle while the lock's work runs.
    // One per lock key, the current one: advisoryLock itself ends a pool it replaces after a failure.
    const lockClients = new Map<bigint, Sql>();
    const openLockClient = (key: bigint) => (): Sql => {
      const lockClient = postgres(options.url!, { ...POSTGRES_POOL_OPTIONS, max: 1, max_lifetime: null });
      lockClients.set(key, lockClient);
      return lockClient;
    };
    registerLockFactory(db, (key) => advisoryLock(openLockClient(key), key));
    const close = async () => void (await Promise.all([client.end({ timeout: 5 }), ...[...lockClients.values()].map((c) => c.end({ timeout: 5 }))]));
    return { db: db as unknown as Database, engine: 'postgres', close };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (options.pgliteDir) mkdirSync(path.dirname(options.pgliteDir), { recursive: true });
  let client;
  try {
    client = new PGlite(options.pgliteDir);
    await client.waitReady;
  } catch (err) {
    throw new PorticoError(`cannot open the embedded database in ${options.pgliteDir}: ${(err as Error).message}`, 'is another Portico process using the same PORTICO_DATA_DIR?');
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: folder });
  registerLockFactory(db, () => processLock());
  return { db: db as unknown as Database, engine: 'pglite', close: () => client.close() };
}

/**
 * The driver's own reason, under drizzle's "Failed query" wrapper, with credentials and the query's
 * values stripped (drizzle writes them into its message as `params:`).
 */
export function describeDbError(err: unknown): string {
  let e = err as { code?: string; message?: string; cause?: unknown; errors?: unknown[] };
  for (let depth = 0; depth < 5 && (e.cause || e.errors?.length); depth++) e = (e.cause ?? e.errors![0]) as typeof e;
  if (e.code === 'ECONNREFUSED') return 'the connection was refused (is the server running?)';
  if (e.code === 'ENOTFOUND') return 'the host name does not resolve';
  if (e.code === '28P01' || e.code === '28000') return 'the server refused the user or password';
  if (e.code === '3D000') return 'the database does not exist';
  return redactText(e.message ?? String(err));
}
