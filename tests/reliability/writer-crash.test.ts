import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { accounts, outbox } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { drainOutbox, type DrainResult } from '../../src/lib/gitops/writer.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { gitIn, readHistory } from '../support/git-history.ts';
import { until } from '../support/http-client.ts';
import { projectRoot } from '../support/portal.ts';

/*
 * The writer process dies at the worst moments: after committing but before pushing, and after the
 * push reached the remote but before it recorded that in the database. A fresh writer (the portal
 * restarted, or another instance) then publishes every change exactly once. PostgreSQL only: the
 * killed writer is another process, and only a server is shared between processes.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-writer-crash-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.close();
  rmSync(work, { recursive: true, force: true });
});
const author = { name: 'Portico', email: 'portico@example.test' };
const render = (grants: Parameters<typeof renderHaproxy>[0]) => renderHaproxy(grants, new Map());
let n = 0;

/** A hook that says it started (by creating `mark`) and then hangs, so the test can kill the writer inside it. */
function hangingHook(file: string, mark: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\ntouch '${mark}'\nsleep 120\n`);
  chmodSync(file, 0o755);
}

async function setUp() {
  const database = await freshPostgres();
  databases.push(database);
  await database.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
  const content = path.join(work, `content-${++n}`);
  mkdirSync(content, { recursive: true });
  writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
  const bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
  const access = createAccessService(database.db, { keyPrefix: 'ptc', environment: 'test' });
  const app = await access.createApplication('acct-ada', { name: 'Crash test', namespace: 'logistics' });
  const keys = [await access.createKey('acct-ada', app.id, { title: 'one' }), await access.createKey('acct-ada', app.id, { title: 'two' })];
  const workspaceDir = path.join(work, `ws-${n}`);
  await new GitWorkspace(workspaceDir, { url: bare, branch: 'main', author }).sync(); // the portal's working copy exists already
  const requests = (await database.db.select().from(outbox)).map((r) => r.requestId);
  return { database, bare, app, keys, workspaceDir, requests };
}

/** Runs one writer pass in its own process group and SIGKILLs the whole group once `mark` appears. */
async function killWriterAt(mark: string, env: Record<string, string>): Promise<{ signal: string | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'tests/reliability/support/run-writer.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    await until(
      `the writer to reach the hook (${path.basename(mark)})`,
      () => (existsSync(mark) ? true : child.exitCode !== null ? Promise.reject(new Error(`the writer ended first: ${output}`)) : undefined),
      60,
      100,
    );
  } finally {
    process.kill(-child.pid!, 'SIGKILL'); // the writer, its git and the hook: as a crash or an OOM kill would
  }
  return { signal: await exited, output };
}

/** A fresh writer pass; the dead writer's database session may hold the lock for a moment. */
async function freshWriterPass(database: TestDatabase, workspaceDir: string, bare: string): Promise<DrainResult> {
  return until(
    'the dead writer’s lock to be released',
    async () => {
      const result = await drainOutbox(database.db, new GitWorkspace(workspaceDir, { url: bare, branch: 'main', author }), 'consumers', render);
      return result.outcome === 'locked' ? undefined : result;
    },
    30,
    200,
  );
}

function expectEachOnce(bare: string, requests: string[], keys: Array<{ key: string }>, appId: string) {
  const named = readHistory(bare).flatMap((c) => c.requests);
  for (const r of requests)
    expect(
      named.filter((x) => x === r),
      `commits naming ${r}`,
    ).toHaveLength(1);
  const map = gitIn(bare, 'show', 'main:consumers/haproxy/keys.map').split('\n');
  for (const k of keys) expect(map.filter((l) => l === `${createHash('sha256').update(k.key).digest('hex')} ${appId}`)).toHaveLength(1);
}

describe('a writer killed in the middle of a pass', () => {
  it('between its commit and its push: nothing reaches the remote, and the next writer publishes everything once', async () => {
    const { database, bare, app, keys, workspaceDir, requests } = await setUp();
    const mark = path.join(work, `pre-push-${n}`);
    hangingHook(path.join(workspaceDir, '.git/hooks/pre-push'), mark);
    const before = gitIn(bare, 'rev-parse', 'main').trim();

    const killed = await killWriterAt(mark, { DATABASE_URL: database.url!, PORTICO_TEST_WORKSPACE: workspaceDir, PORTICO_TEST_REMOTE: bare });
    expect(killed.signal).toBe('SIGKILL');
    // The dead writer had committed locally; the remote never saw it, and the database still has it all queued.
    expect(gitIn(workspaceDir, 'log', '-1', '--format=%(trailers:key=Portico-Request,valueonly)').trim().split('\n').sort()).toEqual([...requests].sort());
    expect(gitIn(bare, 'rev-parse', 'main').trim()).toBe(before);
    expect((await database.db.select().from(outbox)).map((r) => [r.requestId, r.publishedAt, r.attempts])).toEqual(requests.map((r) => [r, null, 0]));

    rmSync(path.join(workspaceDir, '.git/hooks/pre-push')); // the instrument goes; the portal's working copy stays
    const result = await freshWriterPass(database, workspaceDir, bare);
    expect(result).toMatchObject({ outcome: 'published', newCommit: true });
    expect(gitIn(bare, 'rev-list', '--count', `${before}..main`).trim()).toBe('1');
    expectEachOnce(bare, requests, keys, app.id);
    const rows = await database.db.select().from(outbox);
    expect(rows.every((r) => r.publishedAt && r.commit === gitIn(bare, 'rev-parse', 'main').trim())).toBe(true);
  });

  it('after its push reached the remote but before it said so: the next writer adds no second commit', async () => {
    const { database, bare, app, keys, workspaceDir, requests } = await setUp();
    const mark = path.join(work, `post-receive-${n}`);
    hangingHook(path.join(bare, 'hooks/post-receive'), mark);
    const before = gitIn(bare, 'rev-parse', 'main').trim();

    const killed = await killWriterAt(mark, { DATABASE_URL: database.url!, PORTICO_TEST_WORKSPACE: workspaceDir, PORTICO_TEST_REMOTE: bare });
    expect(killed.signal).toBe('SIGKILL');
    const pushed = gitIn(bare, 'rev-parse', 'main').trim();
    expect(gitIn(bare, 'rev-list', '--count', `${before}..main`).trim()).toBe('1'); // the push landed
    expect((await database.db.select().from(outbox)).every((r) => r.publishedAt === null)).toBe(true); // and was never recorded

    rmSync(path.join(bare, 'hooks/post-receive'));
    const result = await freshWriterPass(database, workspaceDir, bare);
    expect(result).toMatchObject({ outcome: 'published', newCommit: false, commit: pushed });
    expect(gitIn(bare, 'rev-parse', 'main').trim()).toBe(pushed);
    expectEachOnce(bare, requests, keys, app.id);
    expect((await database.db.select().from(outbox)).every((r) => r.publishedAt && r.commit === pushed)).toBe(true);
  });
});
