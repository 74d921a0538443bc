import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../src/lib/db/client.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { seedPglite } from './pglite-seed.ts';

/** The PostgreSQL server the tests use (this machine kind runs one on 127.0.0.1:5432 with trust auth). */
export const ADMIN_DATABASE_URL = process.env.PORTICO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends DatabaseHandle {
  /** For PostgreSQL, the URL of this test's own database. */
  url?: string;
}

/** A fresh, empty, migrated PostgreSQL database of its own; dropped on close. */
export async function freshPostgres(): Promise<TestDatabase> {
  const name = `portico_test_${generateSecureRandomString().slice(0, 12)}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * A fresh PGlite database, migrated: in a folder of its own, from a copy of the test run's empty
 * cluster (tests/support/pglite-seed.ts), removed on close; in memory outside a Vitest run.
 */
export async function freshPglite(): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-pglite-'));
  const pgliteDir = path.join(dir, 'pglite');
  if (!seedPglite(pgliteDir)) {
    rmSync(dir, { recursive: true, force: true });
    return openDatabase({});
  }
  try {
    const handle = await openDatabase({ pgliteDir });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Both engines, for `describe.each`: every database test runs against each. */
export const ENGINES: Array<[string, () => Promise<TestDatabase>]> = [
  ['PostgreSQL', freshPostgres],
  ['PGlite', freshPglite],
];
