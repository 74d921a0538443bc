import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient, until, type PortalClient } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * A running portal against two cheap attacks: a request body nested deeper than any recursive walk
 * of it survives (signed in or not), and a look at its data directory by another user of the machine.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-hardening-'));
// Not created beforehand: the portal makes it, so its mode is the portal's doing.
const dataDir = path.join(work, 'fresh', 'data');
const PASSWORD = 'a long enough password';
const EMAIL = 'ada@example.test';

let portal: RunningPortal;
let ada: PortalClient;

beforeAll(async () => {
  const content = path.join(work, 'content');
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
  portal = await startPortal({ PORTICO_CONTENT_DIR: content, PORTICO_DATA_DIR: dataDir });
  ada = portalClient(portal.base);
  await signUpConfirmed(ada.call, dataDir, EMAIL, PASSWORD);
}, 300_000);

afterAll(async () => {
  await portal?.stop();
  ada?.close();
  rmSync(work, { recursive: true, force: true });
});

/** 20,000 levels of arrays: 40 KB, well under the body size limit. */
const deep = (member: string) => `{"${member}":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
const STACK_TRACE = /\n\s+at \S|RangeError|Maximum call stack/;

describe('a JSON request body nested 20,000 levels deep', () => {
  const routes: Array<[string, string, string]> = [
    ['sign-up', '/api/v1/auth/signup', 'email'],
    ['sign-in', '/api/v1/auth/signin', 'email'],
    ['password reset', '/api/v1/auth/password-reset', 'email'],
    ['new application (signed in)', '/api/v1/applications', 'name'],
  ];

  it.each(routes)('%s: 400 problem+json saying the body is nested too deeply', async (_what, route, member) => {
    const before = portal.output().length;
    const res = await ada.call('POST', route, deep(member));
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('json-too-deep');
    expect(res.body.detail).toMatch(/nested too deeply/);
    expect(res.text).not.toMatch(STACK_TRACE);
    // Nothing in the portal's log about it: no stack trace, no unexpected error (the whole log is checked again below).
    expect(portal.output().slice(before)).not.toMatch(STACK_TRACE);
    expect(portal.output().slice(before)).not.toMatch(/unexpected error/);
  });

  it('the same body nested a few levels is read as before', async () => {
    const res = await ada.call('POST', '/api/v1/applications', { name: 'nested-ok', description: 'made after the attack' });
    expect(res.status, res.text).toBe(201);
    expect(portal.output()).not.toMatch(STACK_TRACE);
  });
});

/** A folder's entries; none when the folder itself vanished meanwhile. */
function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

describe('the data directory', () => {
  it('is 0700, and nothing below it is readable, writable or searchable by group or others', async () => {
    // The Git side has committed the application created above, so git's files are there too.
    await until('the application committed to the embedded Git remote', () => (existsSync(path.join(dataDir, 'git', 'work', '.git')) ? true : undefined));
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
    const open: string[] = [];
    const seen = new Set<string>();
    const todo = [dataDir];
    while (todo.length > 0) {
      const current = todo.pop()!;
      // The running portal's git and database come and go with short-lived files (index.lock):
      // one that vanished between the listing and the look has no mode left to check.
      const stat = lstatSync(current, { throwIfNoEntry: false });
      if (!stat) continue;
      // The link to the project's node_modules: a link's own mode means nothing on Linux, and it is not followed.
      if (stat.isSymbolicLink()) continue;
      seen.add(path.relative(dataDir, current).split(path.sep)[0]!);
      if ((stat.mode & 0o077) !== 0) open.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(dataDir, current) || '.'}`);
      if (stat.isDirectory()) for (const name of listing(current)) todo.push(path.join(current, name));
    }
    // Everything a portal keeps is there: the database, the built site, the caches, the Git repositories.
    for (const part of ['pglite', 'site', 'cache', 'gitops.git', 'git']) expect(seen, part).toContain(part);
    expect(open).toEqual([]);
  });
});
