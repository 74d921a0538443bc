import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi, until } from '../support/api.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

let portal: RunningPortal;
const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const consumer = jsonApi(() => portal.base);
const admin = jsonApi(() => portal.base);
let appId: string;

const application = async () => (await consumer('GET', `/applications/${appId}`)).body.application;
const statusOf = async (kind: 'subscriptions' | 'keys', id: string) => {
  const app = await application();
  return app[kind].find((x: { id?: string; keyId?: string }) => (x.id ?? x.keyId) === id);
};
const settles = (kind: 'subscriptions' | 'keys', id: string, status: string) =>
  until(`${id} to be ${status}`, async () => {
    const item = await statusOf(kind, id);
    return item?.status === status ? item : undefined;
  });

beforeAll(async () => {
  portal = await startPortal({ PORTICO_GIT_INTERVAL: '1', PORTICO_ADMIN_EMAILS: 'admin@example.test' });
  await signUpConfirmed(consumer, portal.dataDir, 'dev@example.test', 'a long enough password', '');
  await signUpConfirmed(admin, portal.dataDir, 'admin@example.test', 'another long password', '');
  appId = (await consumer('POST', '/applications', { name: 'Dispatch board', description: 'Our warehouse screens' })).body.application.id;
}, 180_000);
afterAll(async () => portal?.stop());

describe('the whole consumer flow through the JSON API', () => {
  it('offers the high-volume plan only through a pull request', async () => {
    const { body } = await consumer('GET', '/catalog');
    expect(body.offers.find((o: { offer: string }) => o.offer === 'logistics/public-monitoring')).toMatchObject({ approval: 'pull-request', plan: { key: 'logistics/growth' } });
    expect(body.offers.find((o: { offer: string }) => o.offer === 'logistics/public-starter')).toMatchObject({ approval: 'instant' });
  });

  let starter: string;
  let growthRequest: string;
  let growth: string;

  it('subscribes instantly, then asks to change plan: the request waits on its own branch', async () => {
    starter = (await consumer('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/public-starter' })).body.subscription.id;
    await settles('subscriptions', starter, 'active');
    const moved = await consumer('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/public-monitoring', replaces: starter });
    expect(moved).toMatchObject({ status: 201, body: { subscription: { status: 'pending-approval', approval: 'pull-request' } } });
    growth = moved.body.subscription.id;
    growthRequest = moved.body.requestId;
    const waiting = await until('the proposal to be pushed', async () => {
      const item = await statusOf('subscriptions', growth);
      return item.commit ? item : undefined;
    });
    expect(waiting).toMatchObject({ status: 'pending-approval', statusReason: `waiting for an admin to merge portico/${growthRequest}`, offerTitle: 'Monitoring, read-only' });
    expect(git('for-each-ref', '--format=%(refname:short)', 'refs/heads/portico/')).toBe(`portico/${growthRequest}\n`);
    // Until then the old plan holds.
    expect((await statusOf('subscriptions', starter)).status).toBe('active');
  });

  it('lets only admins see and decide requests', async () => {
    expect((await consumer('GET', '/admin/requests')).status).toBe(403);
    expect((await consumer('POST', `/admin/requests/${growthRequest}/approve`)).status).toBe(403);
    const { body } = await admin('GET', '/admin/requests');
    expect(body.requests).toEqual([
      expect.objectContaining({
        requestId: growthRequest,
        subscriptionId: growth,
        applicationId: appId,
        applicationName: 'Dispatch board',
        owner: expect.objectContaining({ email: 'dev@example.test' }),
        branch: `portico/${growthRequest}`,
      }),
    ]);
  });

  it('approving merges the branch: the new plan becomes active and the old one ends', async () => {
    expect(await admin('POST', `/admin/requests/${growthRequest}/approve`)).toMatchObject({ status: 200, body: { status: 'committing' } });
    const active = await settles('subscriptions', growth, 'active');
    expect(active.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await statusOf('subscriptions', starter)).toMatchObject({ status: 'revoked', statusReason: `replaced by ${growth} (logistics/public-monitoring)` });
    expect(git('log', '--merges', '--format=%s', 'main')).toContain('Approve');
    expect(git('for-each-ref', 'refs/heads/portico/')).toBe('');
    expect((await admin('GET', '/admin/requests')).body.requests).toEqual([]);
  });

  it('rejecting a second request tells the consumer why', async () => {
    const other = await consumer('POST', '/applications', { name: 'Second screen' });
    const asked = await consumer('POST', `/applications/${other.body.application.id}/subscriptions`, { offer: 'logistics/public-monitoring' });
    expect((await admin('POST', `/admin/requests/${asked.body.requestId}/reject`, { reason: 'one monitoring plan per team' })).status).toBe(200);
    const rejected = await until('the rejection', async () => {
      const sub = (await consumer('GET', `/applications/${other.body.application.id}`)).body.application.subscriptions[0];
      return sub.status === 'rejected' ? sub : undefined;
    });
    expect(rejected.statusReason).toBe('rejected by admin@example.test: one monitoring plan per team');
    expect((await admin('POST', `/admin/requests/${asked.body.requestId}/reject`)).body.detail).toBe(`There is no request ${asked.body.requestId} waiting for approval.`);
  });

  let first: { key: string; keyId: string };
  let second: { key: string; keyId: string; replaces: string; overlapUntil: string };

  it('rotates a key: the new key is shown once, and both keys are in Git during the overlap', async () => {
    first = (await consumer('POST', `/applications/${appId}/keys`, { title: 'screens' })).body;
    await settles('keys', first.keyId, 'active');
    const rotated = await consumer('POST', `/applications/${appId}/keys/${first.keyId}/rotate`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(201);
    second = rotated.body;
    expect(second).toMatchObject({ replaces: first.keyId, shownOnce: true });
    expect(Date.parse(second.overlapUntil) - Date.now()).toBeGreaterThan(3500_000);
    await settles('keys', second.keyId, 'active');
    const map = git('show', 'main:consumers/haproxy/keys.map');
    expect(map).toContain(sha256(first.key));
    expect(map).toContain(sha256(second.key));
    expect(await statusOf('keys', first.keyId)).toMatchObject({ status: 'active', retireAt: second.overlapUntil });
    expect((await consumer('POST', `/applications/${appId}/keys/${first.keyId}/rotate`, {})).body.detail).toMatch(/was already rotated; it retires at /);
    expect((await consumer('POST', `/applications/${appId}/keys/${second.keyId}/rotate`, { overlapSeconds: 'soon' })).body.detail).toBe(
      'overlapSeconds must be a whole number from 0 to 2592000 (30 days).',
    );
  });

  it('lets an admin suspend a key (it leaves the HAProxy map) and resume it', async () => {
    expect((await admin('POST', `/admin/keys/${second.keyId}/suspend`)).status).toBe(202);
    await settles('keys', second.keyId, 'suspended');
    await until('the suspended key to leave keys.map', async () => (git('show', 'main:consumers/haproxy/keys.map').includes(sha256(second.key)) ? undefined : true));
    expect((await admin('POST', `/admin/keys/${second.keyId}/resume`)).status).toBe(202);
    await settles('keys', second.keyId, 'active');
    expect(git('show', 'main:consumers/haproxy/keys.map')).toContain(sha256(second.key));
  });

  it('shows the Git outbox to admins, with nothing left waiting', async () => {
    const { body } = await until('the outbox to drain', async () => {
      const res = await admin('GET', '/admin/outbox');
      return res.body.pending.length === 0 ? res : undefined;
    });
    expect(body.recent.length).toBeGreaterThan(5);
    expect(body.recent[0]).toMatchObject({ requestId: expect.stringMatching(/^req-/), commit: expect.any(String), lastError: null });
    expect(body.lastPass.error).toBeNull();
  });

  it('reports drift when a person puts back in Git what Portico removed', async () => {
    const clone = path.join(portal.dataDir, 'human-clone');
    execFileSync('git', ['clone', '-q', path.join(portal.dataDir, 'gitops.git'), clone], { env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    // A platform engineer edits Portico's folder by hand: puts the ended starter plan back, and removes the approved one.
    const dir = `consumers/traefik-hub/logistics/${appId}`;
    const merge = execFileSync('git', ['log', '--merges', '-1', '--format=%H'], { cwd: clone, encoding: 'utf8' }).trim();
    execFileSync('git', ['checkout', `${merge}^1`, '--', `${dir}/subscription-starter.yaml`], { cwd: clone });
    execFileSync('git', ['rm', '-q', `${dir}/subscription-growth.yaml`], { cwd: clone });
    execFileSync('git', ['-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', 'commit', '-q', '-m', 'Back to the starter plan'], { cwd: clone });
    execFileSync('git', ['push', '-q', 'origin', 'main'], { cwd: clone, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    const drift = await until('the drift to show', async () => {
      const { body } = await admin('GET', '/admin/drift');
      return body.drift.find((d: { id: string; git: string }) => d.id === starter && d.git === 'present');
    });
    expect(drift).toMatchObject({ kind: 'subscription', applicationId: appId, database: 'revoked' });
    // The same edit took the approved grant away: the consumer sees it revoked, with the commit that did it.
    const gone = await settles('subscriptions', growth, 'revoked');
    expect(gone.statusReason).toMatch(/^removed from main by [0-9a-f]{12} "Back to the starter plan" \(Pat Platform\)$/);
    expect((await admin('GET', '/admin/drift')).body.drift).toContainEqual(expect.objectContaining({ id: growth, git: 'absent' }));
  });

  it('unsubscribes, and deleting the application takes every file of it out of Git', async () => {
    expect((await consumer('DELETE', `/applications/${appId}/subscriptions/${growth}`)).body.detail).toBe('The subscription is already revoked.');
    const deleted = await consumer('DELETE', `/applications/${appId}`);
    expect(deleted).toMatchObject({ status: 202, body: { requestId: expect.stringMatching(/^req-/) } });
    expect((await consumer('GET', `/applications/${appId}`)).status).toBe(404);
    await until('the application to leave Git', async () => (git('ls-tree', '-r', '--name-only', 'main').includes(appId) ? undefined : true));
    expect(git('show', 'main:consumers/haproxy/keys.map')).not.toContain(sha256(second.key));
  });

  it('never lets the plaintext keys into Git, the logs or the API answers', async () => {
    const history = git('log', '-p', '--all');
    for (const k of [first.key, second.key]) {
      expect(history).not.toContain(k);
      expect(portal.output()).not.toContain(k);
    }
    expect(JSON.stringify((await consumer('GET', '/applications')).body)).not.toContain(second.key);
  });
});
