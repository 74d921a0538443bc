import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys, outbox, subscriptions } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { loadGrants } from '../../src/lib/gitops/grants.ts';
import { openDatabase } from '../../src/lib/db/client.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { publishRendered } from '../../src/lib/gitops/publish.ts';
import { renderTraefikHub } from '../../src/lib/gitops/render/traefik-hub.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { fakeCiphertext } from '../support/writer.ts';

const work = mkdtempSync(path.join(tmpdir(), 'portico-writer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();
let n = 0;

async function remote(): Promise<string> {
  const content = path.join(work, `content-${++n}`);
  mkdirSync(content, { recursive: true });
  writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
  return ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
}

describe.each(ENGINES)('the outbox and the Git writer on %s', (_engine, open) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await open();
    await handle.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
  });
  afterAll(async () => handle?.close());

  it('publishes every queued change in one commit with its trailers, then has nothing left to do', async () => {
    const bare = await remote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    const app = await access.createApplication('acct-ada', { name: 'Tracking widget', namespace: 'logistics' });
    const sub = await access.subscribe('acct-ada', app.id, { key: 'logistics/public-starter', plan: 'logistics/starter', apis: ['logistics/shipments'], bundles: [], operationFilter: [] });
    const key = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });

    const first = await drainOutbox(handle.db, ws, 'consumers', renderTraefikHub);
    expect(first).toMatchObject({ outcome: 'published', newCommit: true });
    if (first.outcome !== 'published') throw new Error('not published');
    expect(first.requests).toHaveLength(3);
    expect(sh(bare, 'rev-parse', 'main')).toBe(first.commit);
    const trailers = sh(bare, 'log', '-1', '--format=%(trailers)', 'main');
    expect(trailers).toContain(`Portico-Request: ${sub.requestId}`);
    expect(trailers).toContain(`Portico-Request: ${key.requestId}`);
    expect(trailers).toContain('Portico-Consumer: acct-ada');
    // The body tells a reviewer what the commit carries, one line per change.
    const message = sh(bare, 'log', '-1', '--format=%B', 'main');
    expect(message.split('\n').slice(0, 5)).toEqual([
      'Apply 3 grant changes',
      '',
      `- Create application ${app.id}`,
      `- Subscribe ${app.id} to logistics/public-starter on logistics/starter`,
      `- Add key ${key.keyId} to ${app.id}`,
    ]);
    expect(sh(bare, 'show', `main:consumers/traefik-hub/logistics/${app.id}/subscription-starter.yaml`)).toContain('name: shipments');
    const [subRow] = await handle.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(subRow!.status).toBe('committed');
    expect((await handle.db.select().from(outbox)).every((r) => r.commit === first.commit && r.publishedAt)).toBe(true);

    expect(await drainOutbox(handle.db, ws, 'consumers', renderTraefikHub)).toEqual({ outcome: 'idle' });
    expect(sh(bare, 'rev-list', '--count', 'main')).toBe('2');
  });

  it('keeps the plaintext key out of Git and the database', async () => {
    const bare = await remote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    const app = await access.createApplication('acct-ada', { name: 'Second', namespace: 'logistics' });
    const { key } = await access.createKey('acct-ada', app.id, { title: 'ci', encryptSecret: fakeCiphertext });
    await drainOutbox(handle.db, ws, 'consumers', renderTraefikHub);
    expect(sh(bare, 'log', '-p', '--all')).not.toContain(key);
    expect(sh(bare, 'log', '-p', '--all')).not.toContain(key.slice(9, 41));
    const dump = JSON.stringify([await handle.db.select().from(apiKeys), await handle.db.select().from(outbox)]);
    expect(dump).not.toContain(key.slice(9, 41));
  });

  it('keeps changes queued while the remote is down, and publishes them when it is back', async () => {
    const bare = await remote();
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    const app = await access.createApplication('acct-ada', { name: 'Offline', namespace: 'logistics' });
    const down = new GitWorkspace(path.join(work, `ws-down-${n}`), { url: path.join(work, 'no-such-remote.git'), branch: 'main', author });
    const failed = await drainOutbox(handle.db, down, 'consumers', renderTraefikHub);
    expect(failed).toMatchObject({ outcome: 'failed', retryable: true });
    const [row] = await handle.db
      .select()
      .from(outbox)
      .where(eq(outbox.summary, `Create application ${app.id}`));
    expect(row).toMatchObject({ publishedAt: null, attempts: 1 });
    expect(row!.lastError).toMatch(/cannot be reached/);
    const up = new GitWorkspace(path.join(work, `ws-up-${n}`), { url: bare, branch: 'main', author });
    expect(await drainOutbox(handle.db, up, 'consumers', renderTraefikHub)).toMatchObject({ outcome: 'published', newCommit: true });
    expect(sh(bare, 'ls-tree', '-r', '--name-only', 'main')).toContain(`consumers/traefik-hub/logistics/${app.id}/application.yaml`);
  });

  it('neither loses nor duplicates a change when a writer died between its push and its bookkeeping', async () => {
    const bare = await remote();
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    await access.createApplication('acct-ada', { name: 'Crashy', namespace: 'logistics' });
    // The dead writer's work: the state was rendered and pushed, but its outbox rows were never marked.
    const dead = new GitWorkspace(path.join(work, `ws-dead-${n}`), { url: bare, branch: 'main', author });
    const grants = await loadGrants(handle.db);
    const pushed = await publishRendered(dead, 'consumers', () => renderTraefikHub(grants), 'pushed by a writer that then died', {});
    const commitsBefore = sh(bare, 'rev-list', '--count', 'main');
    const next = new GitWorkspace(path.join(work, `ws-next-${n}`), { url: bare, branch: 'main', author });
    const result = await drainOutbox(handle.db, next, 'consumers', renderTraefikHub);
    expect(result).toMatchObject({ outcome: 'published', newCommit: false, commit: pushed.commit });
    expect(sh(bare, 'rev-list', '--count', 'main')).toBe(commitsBefore);
    expect((await handle.db.select().from(outbox)).filter((r) => !r.publishedAt)).toEqual([]);
  });
});

describe('two writers on one PostgreSQL database', () => {
  it('elect one at a time through the advisory lock: each change is published exactly once', async () => {
    const { freshPostgres } = await import('../support/databases.ts');
    const first = await freshPostgres();
    const second = await openDatabase({ url: first.url! }); // another portal instance, its own pool
    try {
      await first.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const bare = await remote();
      const access = createAccessService(first.db, { keyPrefix: 'ptc', environment: 'test' });
      for (let i = 0; i < 10; i++) await access.createApplication('acct-ada', { name: `App ${i}`, namespace: 'logistics' });
      const wsA = new GitWorkspace(path.join(work, `race-a-${n}`), { url: bare, branch: 'main', author });
      const wsB = new GitWorkspace(path.join(work, `race-b-${n}`), { url: bare, branch: 'main', author });
      const results = await Promise.all([drainOutbox(first.db, wsA, 'consumers', renderTraefikHub), drainOutbox(second.db, wsB, 'consumers', renderTraefikHub)]);
      const outcomes = results.map((r) => r.outcome).sort();
      // Either one held the lock while the other found it taken, or they ran one after the other.
      expect([
        ['locked', 'published'],
        ['idle', 'published'],
      ]).toContainEqual(outcomes);
      expect(sh(bare, 'rev-list', '--count', 'main')).toBe('2');
      const rows = await first.db.select().from(outbox);
      expect(rows.filter((r) => r.publishedAt)).toHaveLength(10);
      expect(new Set(rows.map((r) => r.commit)).size).toBe(1);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe.each(ENGINES)('the reconciler on %s', (_engine, open) => {
  it('activates what reached the branch, and revokes what a revert took away, saying which commit', async () => {
    const { traefikHubPresence } = await import('../../src/lib/gitops/render/traefik-hub.ts');
    const { reconcile } = await import('../../src/lib/gitops/reconciler.ts');
    const handle = await open();
    try {
      await handle.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const bare = await remote();
      const ws = new GitWorkspace(path.join(work, `rec-${n}`), { url: bare, branch: 'main', author });
      const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
      const app = await access.createApplication('acct-ada', { name: 'Widget', namespace: 'logistics' });
      const sub = await access.subscribe('acct-ada', app.id, { key: 'logistics/public-starter', plan: 'logistics/starter', apis: ['logistics/shipments'], bundles: [], operationFilter: [] });
      const key = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });
      await drainOutbox(handle.db, ws, 'consumers', renderTraefikHub);

      const first = await reconcile(handle.db, ws, 'consumers', traefikHubPresence);
      expect(first.activated.sort()).toEqual([key.keyId, sub.id].sort());
      expect((await handle.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id)))[0]!.status).toBe('active');
      expect(await reconcile(handle.db, ws, 'consumers', traefikHubPresence)).toMatchObject({ activated: [], revoked: [] });

      // A platform engineer reverts the grant in Git.
      const clone = path.join(work, `human-${n}`);
      sh(work, 'clone', '-q', bare, clone);
      sh(clone, '-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', 'revert', '--no-edit', 'HEAD');
      sh(clone, 'push', '-q', 'origin', 'main');
      const revertSha = sh(clone, 'rev-parse', 'HEAD');

      const after = await reconcile(handle.db, ws, 'consumers', traefikHubPresence);
      expect(after.revoked.map((r) => r.id).sort()).toEqual([key.keyId, sub.id].sort());
      const [subRow] = await handle.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
      expect(subRow).toMatchObject({ status: 'revoked', statusCommit: revertSha });
      expect(subRow!.statusReason).toMatch(new RegExp(`^removed from main by ${revertSha.slice(0, 12)} "Revert ".+" \\(Pat Platform\\)$`));
      const [keyRow] = await handle.db.select().from(apiKeys).where(eq(apiKeys.keyId, key.keyId));
      expect(keyRow!.status).toBe('revoked');
    } finally {
      await handle.close();
    }
  });
});
