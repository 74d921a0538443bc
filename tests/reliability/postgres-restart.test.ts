import { createHash } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn, readHistory } from '../support/git-history.ts';
import { portalClient, until, type Answer, type PortalClient } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { signUpConfirmed } from '../support/mail.ts';

/*
 * PostgreSQL goes away under a running portal (a restart, a failover) and comes back. Requests
 * during the outage get a clear 503 problem document saying to try again, never a stack trace or
 * a bare 500; requests before and after succeed, and every accepted change reaches Git exactly
 * once. The server is the test's own (a private cluster), never the machine's shared one.
 */

/** A small content repository (one API, one offer): the docs build at start-up takes half the demo's time. */
const CONTENT = path.join(projectRoot, 'tests/fixtures/catalog/hub-basic');
let pg: PrivatePostgres;
let portal: RunningPortal;
let ada: PortalClient;
let appId: string;
const accepted: Array<{ key: string; keyId: string; requestId: string }> = [];
const refused: Array<{ what: string; answer: Answer }> = [];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  // Keys are asked for in a loop for as long as the restart lasts: no cap on keys per application gets in the way.
  portal = await startPortal({ PORTICO_CONTENT_DIR: CONTENT, DATABASE_URL: pg.url, PORTICO_GIT_INTERVAL: '1', PORTICO_MAX_KEYS_PER_APPLICATION: '100000' });
  ada = portalClient(portal.base);
  await signUpConfirmed(ada.call, portal.dataDir, 'ada@example.test', 'a long enough password');
  const app = await ada.call('POST', '/api/v1/applications', { name: 'Survives restarts' });
  expect(app.status).toBe(201);
  appId = app.body.application.id;
}, 180_000);

afterAll(async () => {
  ada?.close();
  await portal?.stop();
  pg?.destroy();
});

/** A key request: accepted (201) or, while the database is away, refused with a 503 that says so. */
async function requestKey(title: string): Promise<Answer> {
  const res = await ada.call('POST', `/api/v1/applications/${appId}/keys`, { title }).catch(connectionLost);
  if (res.status === 201) accepted.push({ key: res.body.key, keyId: res.body.keyId, requestId: res.body.requestId });
  else refused.push({ what: `POST keys (${title})`, answer: res });
  return res;
}

/** A request that got no answer at all: the portal closed the connection (or died; its last words say which). */
function connectionLost(err: Error): Answer {
  return { status: 0, headers: {}, text: `no answer (${err.message}); the portal's last output:\n${portal.output().slice(-3000)}`, body: undefined };
}

/** The portal process still answers (a database outage must not take it down). */
async function expectAlive() {
  const alive = await ada.call('GET', '/healthz').catch(connectionLost);
  expect(alive.status, alive.text).toBe(200);
}

/** What a person or a script must get while the database is away. */
function expectUnavailable(what: string, res: Answer) {
  expect(`${what}: ${res.status} ${res.headers['content-type']}`, res.text.slice(0, 3000)).toBe(`${what}: 503 application/problem+json`);
  expect(Number(res.headers['retry-after']), `${what}: Retry-After`).toBeGreaterThan(0);
  expect(res.body, what).toMatchObject({ status: 503, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
  expect(res.body.detail, what).toMatch(/database/i);
  expect(res.body.detail, what).toMatch(/try again/i);
  // Never the machinery: no stack frames, no source paths, no driver error codes or connection URLs.
  expect(res.text, what).not.toMatch(/\n\s+at |node_modules|\.[mc]?[jt]s:\d+|ECONNREFUSED|57P01|postgres:\/\//);
}

describe('PostgreSQL going away under a running portal', () => {
  it('accepts key requests while the database is up', async () => {
    for (let i = 0; i < 3; i++) expect((await requestKey(`before ${i}`)).status).toBe(201);
  });

  it('answers 503 with a reason and Retry-After while the database is down, for reads and writes', async () => {
    await pg.stop();
    try {
      const signedOut = portalClient(portal.base);
      const checks: Array<[string, () => Promise<Answer>]> = [
        ['GET the application', () => ada.call('GET', `/api/v1/applications/${appId}`).catch(connectionLost)],
        ['GET the applications', () => ada.call('GET', '/api/v1/applications').catch(connectionLost)],
        ['POST a key', () => requestKey('during the outage')],
        ['POST a sign-in', () => signedOut.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: 'a long enough password' }).catch(connectionLost)],
        ['GET /readyz', () => signedOut.call('GET', '/readyz').catch(connectionLost)],
      ];
      for (const [what, call] of checks) {
        // Twice: the first request finds the pool's connections cut, the second finds the server gone.
        expectUnavailable(what, await call());
        expectUnavailable(`${what} (again)`, await call());
      }
      signedOut.close();
    } finally {
      await pg.start();
    }
  });

  it('serves again once the database is back, without restarting the portal', async () => {
    await expectAlive();
    const res = await until('a key request to succeed again', async () => ((await requestKey('after the outage')).status === 201 ? true : undefined), 30, 200);
    expect(res).toBe(true);
    expect((await ada.call('GET', `/api/v1/applications/${appId}`)).status).toBe(200);
  });

  it('keeps answering requests in words during a restart, failing none with a 500', async () => {
    await expectAlive();
    const answers: Answer[] = [];
    /** Each client's answers, in the order it sent its requests. */
    const byClient: Answer[][] = Array.from({ length: 4 }, () => []);
    let running = true;
    const clients = byClient.map(async (mine, c) => {
      for (let i = 0; running; i++) {
        const res = await requestKey(`around the restart ${c}/${i}`);
        answers.push(res);
        mine.push(res);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    try {
      // The restart must fall among running clients, however slowly they got going: each has had keys accepted first.
      await until('each client to have two keys accepted before the restart', () => (byClient.every((mine) => mine.filter((r) => r.status === 201).length >= 2) ? true : undefined), 30, 20);
      await pg.restart();
      // pg_ctl returns once the server accepts connections; the portal's pool finds that out by itself, as soon as the machine lets it.
      // Wait until every client had a key accepted for a request sent after that (the one in flight at that moment was sent before).
      const inFlight = byClient.map((mine) => mine.length);
      await until(
        'each client to have a key accepted for a request sent after the restart',
        () => (byClient.every((mine, c) => mine.slice(inFlight[c]! + 1).some((r) => r.status === 201)) ? true : undefined),
        30,
        20,
      );
    } finally {
      running = false;
      await Promise.all(clients);
    }
    expect(answers.length).toBeGreaterThan(8);
    for (const [i, res] of answers.entries()) {
      if (res.status !== 201) expectUnavailable(`answer ${i} around the restart`, res);
    }
    expect(answers.at(-1)!.status).toBe(201); // back to normal by the end
    // Room for both waits above (30 s each) and the restart between them, so that on a slow machine
    // the wait that did not end says which it was, instead of Vitest's 60 s cutting it short.
  }, 90_000);

  it('publishes every accepted key to Git exactly once, and nothing that was refused', async () => {
    await expectAlive();
    const app = await until(
      'every accepted key to be active',
      async () => {
        const a = (await ada.call('GET', `/api/v1/applications/${appId}`)).body?.application;
        return a && a.keys.length === accepted.length && a.keys.every((k: { status: string }) => k.status === 'active') ? a : undefined;
      },
      60,
      500,
    );
    expect(app.keys.map((k: { keyId: string }) => k.keyId).sort()).toEqual(accepted.map((a) => a.keyId).sort());
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      expect(Number((await sql`select count(*) as n from api_keys`)[0]!.n)).toBe(accepted.length);
      expect(Number((await sql`select count(*) as n from outbox where published_at is null`)[0]!.n)).toBe(0);
    } finally {
      await sql.end();
    }
    const bare = path.join(portal.dataDir, 'gitops.git');
    const named = readHistory(bare).flatMap((c) => c.requests);
    for (const a of accepted)
      expect(
        named.filter((r) => r === a.requestId),
        a.requestId,
      ).toHaveLength(1);
    const map = gitIn(bare, 'show', 'main:consumers/haproxy/keys.map').split('\n');
    for (const a of accepted)
      expect(
        map.filter((l) => l.startsWith(createHash('sha256').update(a.key).digest('hex'))),
        a.keyId,
      ).toHaveLength(1);
    expect(refused.length).toBeGreaterThan(0); // the outage was real
  });
});
