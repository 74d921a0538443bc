import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../src/lib/db/client.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';

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

/** A fresh in-memory PGlite database, migrated. */
export async function freshPglite(): Promise<TestDatabase> {
  return openDatabase({});
}

/** Both engines, for `describe.each`: every database test runs against each. */
export const ENGINES: Array<[string, () => Promise<TestDatabase>]> = [
  ['PostgreSQL', freshPostgres],
  ['PGlite', freshPglite],
];
