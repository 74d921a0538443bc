import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
    const client = postgres(options.url, { max: 10, onnotice: () => {}, connect_timeout: 10 });
    const db = drizzle(client, { schema });
    try {
      await migrate(db, { migrationsFolder: folder });
    } catch (err) {
      await client.end({ timeout: 1 });
      throw new PorticoError(`cannot use the database at DATABASE_URL: ${describeDbError(err)}`, 'check that the server is running and the URL, user and database are right');
    }
    registerLockFactory(db, (key) => advisoryLock(client, key));
    return { db: db as unknown as Database, engine: 'postgres', close: () => client.end({ timeout: 5 }) };
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
