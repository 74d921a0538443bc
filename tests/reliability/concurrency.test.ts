import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema.ts';
import { ensureLocalRemote } from '../../src/lib/gitops/git.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { gitIn, readHistory } from '../support/git-history.ts';
import { portalClient, type Answer } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { mailedToken } from '../support/mail.ts';

/*
 * Issue 6, "Done when": two portal instances share one PostgreSQL database and one Git remote, and
 * 200 key requests from 20 concurrent clients each land in Git exactly once, with no plaintext
 * key anywhere but in the one answer that showed it.
 */

const CLIENTS = 20;
const KEYS_PER_CLIENT = 10;

/** A small content repository (one API, one offer): the docs build at start-up takes half the demo's time. */
const CONTENT = path.join(projectRoot, 'tests/fixtures/catalog/hub-basic');
const work = mkdtempSync(path.join(tmpdir(), 'portico-concurrency-'));
let database: TestDatabase;
let bare: string;
let portals: RunningPortal[] = [];

interface Issued {
  client: number;
  applicationId: string;
  key: string;
  keyId: string;
  requestId: string;
  servedBy: number;
}
const issued: Issued[] = [];
const applicationIds: string[] = [];
const answers: Array<{ what: string; answer: Answer }> = [];
let clients: Array<ReturnType<typeof portalClient>[]> = [];

beforeAll(async () => {
  database = await freshPostgres();
  bare = await ensureLocalRemote(path.join(work, 'gitops.git'), CONTENT);
  // A real remote needs the cluster's age key for the Traefik Hub Secrets: this test's own.
  const recipient = await identityToRecipient(await generateIdentity());
  const env = {
    PORTICO_CONTENT_DIR: CONTENT,
    DATABASE_URL: database.url!,
    PORTICO_GIT_URL: bare,
    PORTICO_GIT_INTERVAL: '1',
    PORTICO_AGE_RECIPIENTS: recipient,
    PORTICO_SIGNUPS_PER_HOUR: String(CLIENTS * 2),
    PORTICO_MAX_KEYS_PER_APPLICATION: String(KEYS_PER_CLIENT * 2),
  };
  portals = await Promise.all([startPortal(env), startPortal(env)]);
}, 240_000);

afterAll(async () => {
  for (const c of clients.flat()) c.close();
  await Promise.all(portals.map((p) => p.stop()));
  await database?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('200 key requests from 20 clients against two portals on one database and one remote', () => {
  it('answers every request, from either portal', async () => {
    // Each client holds one session, used against both portals (the session lives in the shared database).
    clients = Array.from({ length: CLIENTS }, () => portals.map((p) => portalClient(p.base)));
    await Promise.all(
      clients.map(async (pair, c) => {
        const first = pair[c % 2]!;
        const signup = await first.call('POST', '/api/v1/auth/signup', { email: `client-${c}@example.test`, password: 'a long enough password' });
        answers.push({ what: `sign-up ${c}`, answer: signup });
        // The confirmation link, opened on the other portal: the token lives in the shared database.
        const confirm = await pair[1 - (c % 2)]!.call('POST', '/api/v1/auth/verify-email', {
          token: mailedToken(portals[c % 2]!.dataDir, `client-${c}@example.test`),
          password: 'a long enough password',
        });
        answers.push({ what: `confirmation ${c}`, answer: confirm });
        first.setCookie(pair[1 - (c % 2)]!.cookie());
        pair[1 - (c % 2)]!.setCookie(first.cookie());
        const app = await first.call('POST', '/api/v1/applications', { name: `Concurrent client ${c}` });
        answers.push({ what: `application ${c}`, answer: app });
        if (app.status !== 201) return;
        const applicationId = app.body.application.id as string;
        applicationIds[c] = applicationId;
        for (let k = 0; k < KEYS_PER_CLIENT; k++) {
          const servedBy = (c + k) % 2;
          const res = await pair[servedBy]!.call('POST', `/api/v1/applications/${applicationId}/keys`, { title: `key ${k}` });
          answers.push({ what: `key ${c}/${k}`, answer: res });
          if (res.status === 201) issued.push({ client: c, applicationId, key: res.body.key, keyId: res.body.keyId, requestId: res.body.requestId, servedBy });
        }
      }),
    );
    const expectedStatus = (what: string) => (what.startsWith('sign-up') ? 202 : what.startsWith('confirmation') ? 200 : 201);
    const unexpected = answers.filter((a) => a.answer.status !== expectedStatus(a.what)).map((a) => `${a.what}: ${a.answer.status} ${a.answer.text.slice(0, 200)}`);
    expect(unexpected).toEqual([]);
    expect(issued).toHaveLength(CLIENTS * KEYS_PER_CLIENT);
    expect(new Set(issued.map((i) => i.keyId)).size).toBe(issued.length);
    expect(new Set(issued.map((i) => i.requestId)).size).toBe(issued.length);
    expect(new Set(issued.map((i) => i.servedBy))).toEqual(new Set([0, 1]));
  });

  it('marks every key active through the API once the branch has it, with its commit', async () => {
    type KeyView = { keyId: string; status: string; statusReason: string | null; commit: string | null };
    const read = async () =>
      (await Promise.all(applicationIds.map(async (id, c) => (await clients[c]![0]!.call('GET', `/api/v1/applications/${id}`)).body?.application?.keys ?? []))).flat() as KeyView[];
    let keys: KeyView[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      keys = await read();
      if (keys.length === issued.length && keys.every((k) => k.status === 'active')) break;
      if (keys.some((k) => k.status === 'revoked')) break; // an end state: waiting longer changes nothing
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(keys.filter((k) => k.status !== 'active').map((k) => `${k.keyId}: ${k.status} (${k.statusReason})`)).toEqual([]);
    expect(keys).toHaveLength(issued.length);
    const onBranch = gitIn(bare, 'rev-list', 'main').split('\n');
    for (const k of keys) expect(onBranch, `key ${k.keyId} names commit ${k.commit}`).toContain(k.commit);
  }, 90_000);

  it('leaves no outbox row unpublished, and every published row names a commit on the branch', async () => {
    const rows = await database.db.select().from(outbox);
    expect(await database.db.select().from(outbox).where(isNull(outbox.publishedAt))).toEqual([]);
    const onBranch = new Set(gitIn(bare, 'rev-list', 'main').trim().split('\n'));
    for (const r of rows) expect(onBranch.has(r.commit ?? ''), `${r.requestId} (${r.summary}) names ${r.commit}`).toBe(true);
  });

  it("has every key's SHA-256 exactly once in the committed keys.map", () => {
    const lines = gitIn(bare, 'show', 'main:consumers/haproxy/keys.map').split('\n');
    for (const i of issued) {
      const sha = createHash('sha256').update(i.key).digest('hex');
      expect(
        lines.filter((l) => l.split(' ')[0] === sha),
        `key ${i.keyId}`,
      ).toEqual([`${sha} ${i.applicationId}`]);
    }
  });

  it('adds each key in exactly one commit, and names each request in exactly one commit', async () => {
    const history = readHistory(bare);
    const multiset = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    for (const i of issued) {
      const sha = createHash('sha256').update(i.key).digest('hex');
      const addedToMap = history.filter((c) => (c.added.get('consumers/haproxy/keys.map') ?? []).some((l) => l.startsWith(sha)));
      const secretCreated = history.filter((c) => [...c.created].some((f) => f.endsWith(`/secret-${i.keyId}.yaml`)));
      expect(
        addedToMap.map((c) => c.sha),
        `commits adding key ${i.keyId} to keys.map`,
      ).toHaveLength(1);
      expect(
        secretCreated.map((c) => c.sha),
        `commits creating the Secret of key ${i.keyId}`,
      ).toEqual(addedToMap.map((c) => c.sha));
    }
    // Every request the portals queued (applications too, not only keys) is named by exactly one commit.
    const trailerCounts = multiset(history.flatMap((c) => c.requests));
    const queued = (await database.db.select({ requestId: outbox.requestId, summary: outbox.summary }).from(outbox)).map((r) => r.requestId);
    expect(queued.length).toBe(CLIENTS + CLIENTS * KEYS_PER_CLIENT);
    const wrong = queued.filter((id) => trailerCounts.get(id) !== 1).map((id) => `${id}: named by ${trailerCounts.get(id) ?? 0} commits`);
    expect(wrong).toEqual([]);
    for (const i of issued) expect(trailerCounts.get(i.requestId), i.requestId).toBe(1);
  });

  it('never writes a plaintext key to Git, the database or either portal log', () => {
    const everything = gitIn(bare, 'log', '-p', '--all');
    const url = new URL(database.url!);
    const dump = execFileSync('pg_dump', ['--host', url.hostname, '--port', url.port || '5432', '--username', url.username || 'postgres', '--no-password', url.pathname.slice(1)], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    expect(dump).toContain('CREATE TABLE'); // a real dump, not an empty string
    const logs = portals.map((p) => p.output()).join('\n');
    for (const i of issued) {
      // The 32 random characters are the secret: the key id (their first 8) may be shown, the rest never.
      const secret = i.key.slice(-38, -6);
      for (const [where, text] of [
        ['git log -p --all', everything],
        ['pg_dump', dump],
        ['the portal logs', logs],
      ] as const) {
        expect(text.includes(secret), `key ${i.keyId} in ${where}`).toBe(false);
      }
    }
  });
});
