import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accounts, apiKeys, subscriptions } from '../../db/schema.ts';
import { createAccessService, type AccessService } from '../../src/lib/access/service.ts';
import type { OfferGrant } from '../../src/lib/access/subscriptions.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { reconcile } from '../../src/lib/gitops/reconciler.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { renderTraefikHub, traefikHubPresence } from '../../src/lib/gitops/render/traefik-hub.ts';
import type { Grant, RenderedFiles } from '../../src/lib/gitops/render/types.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const work = mkdtempSync(path.join(tmpdir(), 'portico-lifecycle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' };
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
// Stands in for SOPS/age here: the writer only carries whatever ciphertext the key step produced.
const fakeCiphertext = (_key: string, keyId: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: key-${keyId.toLowerCase()}\nstringData:\n  token: ENC[AES256_GCM,data:opaque,type:str]\n`;
const render = (grants: Grant[]): RenderedFiles =>
  new Map([
    ...renderTraefikHub(grants),
    ...renderHaproxy(
      grants,
      new Map([
        ['logistics/starter', { rateLimit: { requests: 10, periodSeconds: 1 } }],
        ['logistics/growth', { rateLimit: { requests: 100, periodSeconds: 10 } }],
      ]),
    ),
  ]);

const STARTER: OfferGrant = { key: 'logistics/public-starter', plan: 'logistics/starter', apis: ['logistics/shipments'], bundles: [], operationFilter: [] };
const GROWTH: OfferGrant = { key: 'logistics/public-monitoring', plan: 'logistics/growth', apis: ['logistics/tracking'], bundles: [], operationFilter: ['read-only'], approval: 'pull-request' };
const GROWTH_INSTANT: OfferGrant = { ...GROWTH, approval: 'instant' };

let n = 0;

describe.each(ENGINES)('self-service access through Git on %s', (_engine, open) => {
  let handle: TestDatabase;
  let access: AccessService;
  let bare: string;
  let ws: GitWorkspace;
  let app: { id: string };

  const drain = () => drainOutbox(handle.db, ws, 'consumers', render, { presence: traefikHubPresence });
  const reconcileNow = () => reconcile(handle.db, ws, 'consumers', traefikHubPresence, () => true);
  const show = (ref: string, file: string) => {
    try {
      return sh(bare, 'show', `${ref}:consumers/${file}`);
    } catch {
      return undefined;
    }
  };
  const subscription = async (id: string) => (await handle.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
  const key = async (id: string) => (await handle.db.select().from(apiKeys).where(eq(apiKeys.keyId, id)))[0]!;
  const branches = () => sh(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/').split('\n').filter(Boolean).sort();

  beforeEach(async () => {
    handle = await open();
    await handle.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
    const content = path.join(work, `content-${++n}`);
    mkdirSync(content, { recursive: true });
    writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
    bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
    ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    app = await access.createApplication('acct-ada', { name: 'Widget', namespace: 'logistics' });
  });
  afterEach(async () => handle?.close());

  it('unsubscribes: the subscription is revoking until the commit that removes it, then revoked', async () => {
    const sub = await access.subscribe('acct-ada', app.id, STARTER);
    await drain();
    await reconcileNow();
    expect((await subscription(sub.id)).status).toBe('active');
    await access.unsubscribe('acct-ada', app.id, sub.id);
    expect((await subscription(sub.id)).status).toBe('revoking');
    const result = await drain();
    expect(result.outcome).toBe('published');
    expect(show('main', `traefik-hub/logistics/${app.id}/subscription-starter.yaml`)).toBeUndefined();
    expect(await subscription(sub.id)).toMatchObject({ status: 'revoked', statusReason: 'unsubscribed by its owner', statusCommit: sh(bare, 'rev-parse', 'main') });
    expect(sh(bare, 'log', '-1', '--format=%s', 'main')).toBe(`Unsubscribe ${app.id} from logistics/public-starter`);
    // Nothing changed in Git behind Portico's back, so the reconciler leaves it alone.
    expect((await reconcileNow()).drift).toEqual([]);
    await expect(access.unsubscribe('acct-ada', app.id, sub.id)).rejects.toThrow('The subscription is already revoked.');
  });

  it('changes plan in one commit: the new subscription is added and the old one ends together', async () => {
    const old = await access.subscribe('acct-ada', app.id, STARTER);
    await drain();
    const before = sh(bare, 'rev-parse', 'main');
    const moved = await access.subscribe('acct-ada', app.id, GROWTH_INSTANT, old.id);
    await drain();
    expect(sh(bare, 'rev-list', '--count', `${before}..main`)).toBe('1');
    expect(show('main', `traefik-hub/logistics/${app.id}/subscription-starter.yaml`)).toBeUndefined();
    expect(show('main', `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toContain(`portico.dev/subscriptions: ${moved.id}`);
    expect(show('main', 'haproxy/plans.map')).toContain(`${app.id} 100/10`);
    expect(await subscription(old.id)).toMatchObject({ status: 'revoked', statusReason: `replaced by ${moved.id} (logistics/public-monitoring)` });
    await expect(access.subscribe('acct-ada', app.id, STARTER, old.id)).rejects.toThrow(`no current subscription ${old.id}`);
    await expect(access.subscribe('acct-ada', app.id, GROWTH_INSTANT)).rejects.toThrow('already subscribed to logistics/public-monitoring');
  });

  it('rotates a key with an overlap: both keys work until the overlap ends, then the old one leaves Git', async () => {
    const first = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });
    await drain();
    const rotated = await access.rotateKey('acct-ada', app.id, first.keyId, { overlapSeconds: 3600, encryptSecret: fakeCiphertext });
    expect(rotated.replaces).toBe(first.keyId);
    expect(rotated.key).not.toBe(first.key);
    await drain();
    const keysMap = show('main', 'haproxy/keys.map')!;
    expect(keysMap).toContain((await key(first.keyId)).sha256);
    expect(keysMap).toContain((await key(rotated.keyId)).sha256);
    expect((await key(first.keyId)).retireAt!.getTime()).toBe(rotated.overlapUntil.getTime());
    await expect(access.rotateKey('acct-ada', app.id, first.keyId, {})).rejects.toThrow('was already rotated');

    expect(await access.sweep(new Date(Date.now() + 1000))).toEqual([]);
    expect(await access.sweep(new Date(rotated.overlapUntil.getTime() + 1))).toEqual([first.keyId]);
    await drain();
    expect(show('main', 'haproxy/keys.map')).not.toContain((await key(first.keyId)).sha256);
    expect(show('main', 'haproxy/keys.map')).toContain((await key(rotated.keyId)).sha256);
    expect(show('main', `traefik-hub/logistics/${app.id}/secret-${first.keyId}.yaml`)).toBeUndefined();
    expect(await key(first.keyId)).toMatchObject({ status: 'revoked', statusReason: expect.stringMatching(/^rotated: replaced by .+; overlap ended$/) });
  });

  it('rotates a key without overlap in a single commit, and refuses a bad overlap in words', async () => {
    const first = await access.createKey('acct-ada', app.id, { title: 'ci' });
    await drain();
    await expect(access.rotateKey('acct-ada', app.id, first.keyId, { overlapSeconds: -5 })).rejects.toThrow('overlapSeconds must be a whole number from 0 to 2592000 (30 days).');
    await expect(access.rotateKey('acct-ada', app.id, 'NOSUCHKY', {})).rejects.toThrow('There is no such key.');
    const before = sh(bare, 'rev-parse', 'main');
    const rotated = await access.rotateKey('acct-ada', app.id, first.keyId, { overlapSeconds: 0 });
    await drain();
    expect(sh(bare, 'rev-list', '--count', `${before}..main`)).toBe('1');
    const keysMap = show('main', 'haproxy/keys.map')!;
    expect(keysMap).not.toContain((await key(first.keyId)).sha256);
    expect(keysMap).toContain((await key(rotated.keyId)).sha256);
  });

  it('removes an expired key from Git', async () => {
    const k = await access.createKey('acct-ada', app.id, { title: 'short-lived', expiresAt: new Date(Date.now() + 60_000) });
    await drain();
    expect(show('main', 'haproxy/keys.map')).toContain((await key(k.keyId)).sha256);
    expect(await access.sweep(new Date(Date.now() + 61_000))).toEqual([k.keyId]);
    await drain();
    expect(show('main', 'haproxy/keys.map')).not.toContain((await key(k.keyId)).sha256);
    expect((await key(k.keyId)).statusReason).toMatch(/^expired at /);
  });

  it('deletes an application: every file of it leaves Git, and its grants are revoked', async () => {
    const sub = await access.subscribe('acct-ada', app.id, STARTER);
    const k = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });
    await drain();
    expect(show('main', `traefik-hub/logistics/${app.id}/application.yaml`)).toContain(`appId: ${app.id}`);
    await access.deleteApplication('acct-ada', app.id);
    await drain();
    expect(sh(bare, 'ls-tree', '-r', '--name-only', 'main')).not.toContain(app.id);
    expect(await subscription(sub.id)).toMatchObject({ status: 'revoked', statusReason: 'the application was deleted' });
    expect(await key(k.keyId)).toMatchObject({ status: 'revoked', statusReason: 'the application was deleted' });
    await expect(access.getApplication('acct-ada', app.id)).rejects.toThrow('There is no such application.');
  });

  it("suspends a key on an admin's word and lifts the suspension", async () => {
    const k = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });
    await drain();
    await access.setKeySuspended(k.keyId, true, 'admin@example.test');
    await drain();
    expect(show('main', 'haproxy/keys.map')).not.toContain((await key(k.keyId)).sha256);
    expect(show('main', `traefik-hub/logistics/${app.id}/application.yaml`)).toContain('suspended: true');
    await expect(access.setKeySuspended(k.keyId, true, 'admin@example.test')).rejects.toThrow('only a current key can be suspended');
    await access.setKeySuspended(k.keyId, false, 'admin@example.test');
    await drain();
    expect(show('main', 'haproxy/keys.map')).toContain((await key(k.keyId)).sha256);
    expect(show('main', `traefik-hub/logistics/${app.id}/application.yaml`)).not.toContain('suspended: true');
  });

  describe('pull-request approval', () => {
    it('proposes the grant on portico/<request-id>; approving merges that branch and activates the grant', async () => {
      const sub = await access.subscribe('acct-ada', app.id, GROWTH);
      expect(sub.status).toBe('pending-approval');
      const branch = `portico/${sub.requestId}`;
      await drain();
      expect(branches()).toEqual(['main', branch]);
      const proposed = sh(bare, 'rev-parse', branch);
      expect(show(branch, `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toContain(`portico.dev/subscriptions: ${sub.id}`);
      expect(show('main', `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toBeUndefined();
      expect(sh(bare, 'log', '-1', '--format=%(trailers:key=Portico-Request,valueonly)', branch)).toBe(sub.requestId);
      expect(await subscription(sub.id)).toMatchObject({ status: 'pending-approval', statusCommit: proposed, statusReason: `waiting for an admin to merge ${branch}` });
      // The reconciler does not take an open proposal for a grant, nor for a closed one.
      await reconcileNow();
      expect((await subscription(sub.id)).status).toBe('pending-approval');
      expect(await access.pendingRequests()).toMatchObject([{ requestId: sub.requestId, subscriptionId: sub.id, applicationId: app.id, owner: { email: 'ada@example.test' }, branch }]);

      await access.approve(sub.requestId, 'admin@example.test');
      expect((await drain()).outcome).toBe('published');
      const merge = sh(bare, 'rev-parse', 'main');
      expect(sh(bare, 'rev-list', '--parents', '-n', '1', 'main').split(' ').slice(1)).toContain(proposed);
      expect(show('main', `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toContain(`portico.dev/subscriptions: ${sub.id}`);
      expect(branches()).toEqual(['main']);
      expect(await subscription(sub.id)).toMatchObject({ status: 'committed', statusCommit: merge });
      await reconcileNow();
      expect((await subscription(sub.id)).status).toBe('active');
      expect(await access.pendingRequests()).toEqual([]);
      await expect(access.approve(sub.requestId, 'admin@example.test')).rejects.toThrow(`There is no request ${sub.requestId} waiting for approval.`);
    });

    it('rejecting deletes the branch and tells the consumer why', async () => {
      const sub = await access.subscribe('acct-ada', app.id, GROWTH);
      await drain();
      await access.reject(sub.requestId, 'admin@example.test', 'volume not agreed yet');
      await drain();
      expect(branches()).toEqual(['main']);
      expect(await subscription(sub.id)).toMatchObject({ status: 'rejected', statusReason: 'rejected by admin@example.test: volume not agreed yet' });
      expect(show('main', `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toBeUndefined();
    });

    it('activates a proposal merged on the Git host, and keeps it through the next commit', async () => {
      const sub = await access.subscribe('acct-ada', app.id, GROWTH);
      await drain();
      const clone = path.join(work, `host-merge-${n}`);
      sh(work, 'clone', '-q', bare, clone);
      sh(clone, '-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', 'merge', '--no-ff', '-m', 'Merge access request', `origin/portico/${sub.requestId}`);
      sh(clone, 'push', '-q', 'origin', 'main');
      // A key request lands before the reconciler has seen the merge: its render keeps the grant.
      await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: fakeCiphertext });
      await drain();
      expect(show('main', `traefik-hub/logistics/${app.id}/subscription-growth.yaml`)).toContain(sub.id);
      await reconcileNow();
      expect((await subscription(sub.id)).status).toBe('active');
    });

    it('rejects a proposal whose branch was deleted on the Git host unmerged', async () => {
      const sub = await access.subscribe('acct-ada', app.id, GROWTH);
      await drain();
      sh(bare, 'branch', '-D', `portico/${sub.requestId}`);
      const result = await reconcileNow();
      expect(result.closed).toEqual([sub.id]);
      expect(await subscription(sub.id)).toMatchObject({ status: 'rejected', statusReason: `portico/${sub.requestId} was deleted on the Git host without being merged` });
    });

    it('withdraws a waiting request when its owner unsubscribes', async () => {
      const sub = await access.subscribe('acct-ada', app.id, GROWTH);
      await drain();
      await access.unsubscribe('acct-ada', app.id, sub.id);
      await drain();
      expect(branches()).toEqual(['main']);
      expect((await subscription(sub.id)).status).toBe('rejected');
    });
  });

  it('reports drift: a grant a person removed in Git, and one Git still carries after Portico revoked it', async () => {
    const sub = await access.subscribe('acct-ada', app.id, STARTER);
    await drain();
    await reconcileNow();
    await access.unsubscribe('acct-ada', app.id, sub.id);
    await drain();
    // A platform engineer reverts Portico's removal: Git grants what the database says is revoked.
    const clone = path.join(work, `human-${n}`);
    sh(work, 'clone', '-q', bare, clone);
    sh(clone, '-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', 'revert', '--no-edit', 'HEAD');
    sh(clone, 'push', '-q', 'origin', 'main');
    const result = await reconcileNow();
    expect(result.drift).toEqual([
      { kind: 'subscription', id: sub.id, applicationId: app.id, database: 'revoked', git: 'present', reason: `consumers/traefik-hub/logistics/${app.id}/subscription-starter.yaml still grants it` },
    ]);
  });
});
