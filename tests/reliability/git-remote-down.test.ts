import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalRemote } from '../../src/lib/gitops/git.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { gitIn, readHistory } from '../support/git-history.ts';
import { portalClient, until, type PortalClient } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

/*
 * The Git remote goes away for a while (a host outage, a network cut) and comes back. Meanwhile
 * requests are accepted and queued; the consumer and the admin see "committing" and why; when the
 * remote is back every change lands exactly once.
 */

/** A small content repository (one API, one offer): the docs build at start-up takes half the demo's time. */
const CONTENT = path.join(projectRoot, 'tests/fixtures/catalog/hub-basic');
const work = mkdtempSync(path.join(tmpdir(), 'portico-git-down-'));
let database: TestDatabase;
let portal: RunningPortal;
let bare: string;
let ada: PortalClient;
let admin: PortalClient;
let appId: string;
const keys: Array<{ key: string; keyId: string; requestId: string }> = [];

beforeAll(async () => {
  database = await freshPostgres();
  bare = await ensureLocalRemote(path.join(work, 'gitops.git'), CONTENT);
  const recipient = await identityToRecipient(await generateIdentity());
  portal = await startPortal({
    PORTICO_CONTENT_DIR: CONTENT,
    DATABASE_URL: database.url!,
    PORTICO_GIT_URL: bare,
    PORTICO_GIT_INTERVAL: '1',
    PORTICO_AGE_RECIPIENTS: recipient,
    PORTICO_ADMIN_EMAILS: 'admin@example.test',
  });
  ada = portalClient(portal.base);
  admin = portalClient(portal.base);
  await signUpConfirmed(ada.call, portal.dataDir, 'ada@example.test', 'a long enough password');
  await signUpConfirmed(admin.call, portal.dataDir, 'admin@example.test', 'a long enough password');
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await database?.close();
  rmSync(work, { recursive: true, force: true });
});

async function application() {
  return (await ada.call('GET', `/api/v1/applications/${appId}`)).body.application as {
    keys: Array<{ keyId: string; status: string; statusReason: string | null; commit: string | null }>;
    subscriptions: Array<{ id: string; status: string; statusReason: string | null }>;
  };
}

async function newKey(title: string) {
  const res = await ada.call('POST', `/api/v1/applications/${appId}/keys`, { title });
  expect(res.status, res.text).toBe(201);
  keys.push({ key: res.body.key, keyId: res.body.keyId, requestId: res.body.requestId });
  return res.body;
}

describe('the Git remote down for a while', () => {
  it('publishes normally while the remote is there', async () => {
    const created = await ada.call('POST', '/api/v1/applications', { name: 'Outage test' });
    expect(created.status).toBe(201);
    appId = created.body.application.id;
    await newKey('before the outage');
    await until('the first key to be active', async () => ((await application()).keys.every((k) => k.status === 'active') ? true : undefined), 60);
  });

  it('accepts requests while the remote is gone, and says they are waiting for Git and why', async () => {
    renameSync(bare, `${bare}.away`);
    const during = [await newKey('during the outage 1')];
    // A subscription too: its status and reason travel the same way.
    const sub = await ada.call('POST', `/api/v1/applications/${appId}/subscriptions`, { offer: 'shop/public' });
    expect(sub.status, sub.text).toBe(201);
    during.push(await newKey('during the outage 2'));

    // Several writer passes fail meanwhile (one a second).
    const outbox = await until(
      'the admin outbox to show the failure',
      async () => {
        const res = await admin.call('GET', '/api/v1/admin/outbox');
        expect(res.status, res.text).toBe(200);
        const pending = res.body.pending as Array<{ requestId: string; attempts: number; lastError: string | null; publishedAt: string | null }>;
        const ours = pending.filter((p) => [...during.map((d) => d.requestId), sub.body.requestId].includes(p.requestId));
        return ours.length === 3 && ours.every((p) => p.attempts >= 2 && p.lastError) ? ours : undefined;
      },
      30,
    );
    for (const row of outbox) {
      expect(row.publishedAt).toBeNull();
      expect(row.lastError).toMatch(/cannot be reached/);
      expect(row.lastError).toContain('gitops.git');
    }

    const app = await application();
    for (const d of during) {
      const k = app.keys.find((x) => x.keyId === d.keyId)!;
      expect(k.status).toBe('committing');
      expect(k.commit).toBeNull();
      expect(k.statusReason, `key ${d.keyId} should say why it is still committing`).toMatch(/cannot be reached/);
    }
    const s = app.subscriptions.find((x) => x.id === sub.body.subscription.id)!;
    expect(s.status).toBe('committing');
    expect(s.statusReason).toMatch(/cannot be reached/);
    // What was already active stays active: the outage changes nothing that reached Git.
    expect(app.keys.find((x) => x.keyId === keys[0]!.keyId)!.status).toBe('active');
  });

  it('lands everything exactly once when the remote is back, and clears the reasons', async () => {
    renameSync(`${bare}.away`, bare);
    const app = await until(
      'every key and the subscription to be active',
      async () => {
        const a = await application();
        return [...a.keys, ...a.subscriptions].every((x) => x.status === 'active') ? a : undefined;
      },
      60,
    );
    for (const x of [...app.keys, ...app.subscriptions]) expect(x.statusReason).toBeNull();
    const outbox = await admin.call('GET', '/api/v1/admin/outbox');
    expect(outbox.body.pending).toEqual([]);

    const named = readHistory(bare).flatMap((c) => c.requests);
    for (const r of outbox.body.recent as Array<{ requestId: string; lastError: string | null }>) {
      expect(
        named.filter((x) => x === r.requestId),
        r.requestId,
      ).toHaveLength(1);
      expect(r.lastError).toBeNull();
    }
    const map = gitIn(bare, 'show', 'main:consumers/haproxy/keys.map').split('\n');
    for (const k of keys)
      expect(
        map.filter((l) => l.startsWith(createHash('sha256').update(k.key).digest('hex'))),
        k.keyId,
      ).toHaveLength(1);
  });
});
