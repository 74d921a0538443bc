import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config.ts';
import { startDemoGateway, type DemoGateway } from '../../src/lib/gateway/demo-gateway.ts';
import { until } from '../support/api.ts';
import { contentRemote, type ContentRemote } from '../support/content-remote.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { gitIn } from '../support/git-history.ts';
import { journeyOperation, type JourneyOperation } from '../support/journey-operation.ts';
import { mailedToken } from '../support/mail.ts';
import { freePort, projectRoot } from '../support/portal.ts';
import { requestsUnderLoad, runPortico, servePortal, type ServedPortal } from '../support/served.ts';

// Issue 17 item 5: many replicas, one database, tested without Kubernetes. `portico build` runs
// once; two `portico serve` share one PostgreSQL and one Git remote behind a real HAProxy that
// balances every request round-robin; a consumer's whole journey goes through it, its requests
// landing on both replicas; then a spec change pushed to the remote reaches both replicas with no
// failed request. The API gateway is the demo gateway (a second HAProxy on the committed policy).
const OFFER = 'logistics/public-starter';
const SHIPMENTS_API = 'clusters/production/logistics/apis/shipments/api.yaml';
const HAPROXY = '/usr/sbin/haproxy';

let work = '';
let remote: ContentRemote;
let database: TestDatabase;
let replicas: ServedPortal[] = [];
let dataDirs: string[] = [];
let balancer: ChildProcess | undefined;
let balancerOutput = '';
let gateway: DemoGateway;
let base = '';
let gatewayUrl = '';
let operation: JourneyOperation;

/** Which replica answered each request of the journey (HAProxy names it in X-Replica). */
const answeredBy: string[] = [];
let cookie = '';

/** A person's browser through the load balancer: the portal's origin, the session cookie. */
async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { origin: base, cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  answeredBy.push(res.headers.get('x-replica') ?? '?');
  const set = res.headers.get('set-cookie');
  if (set?.startsWith('portico_session=')) cookie = set.split(';')[0]!;
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const statusOf = async (appId: string, kind: 'subscriptions' | 'keys', id: string) => {
  const app = (await call('GET', `/applications/${appId}`)).body.application;
  // Subscriptions are named by id, keys by keyId.
  return (app[kind] as Array<{ id?: string; keyId?: string; status: string; statusReason?: string }>).find((x) => (kind === 'keys' ? x.keyId : x.id) === id);
};

/** Waits for a grant to reach `status`; on a timeout, says where it stayed and what the replicas printed. */
async function settles(appId: string, kind: 'subscriptions' | 'keys', id: string, status: string): Promise<void> {
  let last: unknown;
  try {
    await until(
      `${kind} ${id} to be ${status}`,
      async () => {
        last = await statusOf(appId, kind, id);
        return (last as { status?: string } | undefined)?.status === status ? true : undefined;
      },
      90,
    );
  } catch {
    throw new Error(`${kind} ${id} stayed ${JSON.stringify(last)}:\n${replicas.map((r) => r.output().slice(-3000)).join('\n----\n')}`);
  }
}

/** Waits until the gateway runs the branch as it is now (the grant just made active, or its removal). */
async function gatewayHasBranchTip(): Promise<void> {
  const tip = remote.head();
  await until(
    `the gateway to load ${tip.slice(0, 7)}`,
    async () => {
      const commit = gateway.status().commit;
      if (!commit) return undefined;
      try {
        gitIn(remote.url, 'merge-base', '--is-ancestor', tip, commit);
        return true;
      } catch {
        return undefined;
      }
    },
    60,
  );
}

/** Try it as the panel sends it: through the relay, with the key in X-API-Key. */
async function tryIt(key: string): Promise<{ status: number; body: string; replica: string }> {
  const target = `${gatewayUrl}${new URL(operation.server).pathname.replace(/\/$/, '')}${operation.path}`;
  const res = await fetch(`${base}/relay?url=${encodeURIComponent(target)}`, { headers: { cookie, 'x-api-key': key } });
  return { status: res.status, body: await res.text(), replica: res.headers.get('x-replica') ?? '?' };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'portico-replicas-'));
  operation = await journeyOperation(OFFER);
  const gatewayPort = await freePort();
  gatewayUrl = `http://localhost:${gatewayPort}`;
  remote = await contentRemote(path.join(work, 'repo'), path.join(projectRoot, 'content'));
  const siteDir = path.join(work, 'image', 'site');
  const built = await runPortico(['build', '--out', siteDir], {
    PORTICO_CONTENT_DIR: remote.clone,
    PORTICO_DATA_DIR: path.join(work, 'build-data'),
    PORTICO_OFFLINE: '1',
    PORTICO_DEMO_GATEWAY_URL: gatewayUrl,
  });
  expect(built.code, built.stderr).toBe(0);

  database = await freshPostgres();
  const lbPort = await freePort();
  base = `http://127.0.0.1:${lbPort}`;
  const ports = [await freePort(), await freePort()];
  dataDirs = ['a', 'b'].map((name) => path.join(work, `data-${name}`));
  const settings = (i: number) => ({
    PORT: String(ports[i]),
    DATABASE_URL: database.url!,
    PORTICO_REPLICAS: '2',
    PORTICO_DATA_DIR: dataDirs[i]!,
    PORTICO_CONTENT_DIR: remote.clone,
    PORTICO_GIT_URL: remote.url,
    PORTICO_GATEWAYS: 'haproxy',
    PORTICO_GIT_INTERVAL: '1',
    PORTICO_DOCS_POLL_SECONDS: '2',
    PORTICO_PUBLIC_URL: base,
    PORTICO_DEMO_GATEWAY_URL: gatewayUrl,
    PORTICO_OFFLINE: '1',
  });
  // One after the other: the first migrates the database.
  replicas.push(await servePortal(siteDir, settings(0)));
  replicas.push(await servePortal(siteDir, settings(1)));

  const config = path.join(work, 'balancer.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 512',
      'defaults',
      '  mode http',
      '  timeout connect 5s',
      '  timeout client 120s',
      '  timeout server 120s',
      'frontend portal',
      `  bind 127.0.0.1:${lbPort}`,
      '  http-response set-header X-Replica %s',
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      ...ports.map((port, i) => `  server ${['a', 'b'][i]} 127.0.0.1:${port} check inter 1s`),
      '',
    ].join('\n'),
  );
  balancer = spawn(HAPROXY, ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  balancer.stdout!.on('data', (d: Buffer) => (balancerOutput += d));
  balancer.stderr!.on('data', (d: Buffer) => (balancerOutput += d));
  await until(
    'the load balancer to send requests to both replicas',
    async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${base}/readyz`).catch(() => undefined);
        if (res?.ok) seen.add(res.headers.get('x-replica') ?? '?');
      }
      return seen.has('a') && seen.has('b') ? true : undefined;
    },
    60,
  );

  // The API gateway, in this process: the demo upstream behind HAProxy on the committed policy.
  const gatewayConfig = loadConfig({
    PORTICO_DATA_DIR: path.join(work, 'gateway-data'),
    PORTICO_CONTENT_DIR: remote.clone,
    PORTICO_GIT_URL: remote.url,
    PORTICO_GATEWAYS: 'haproxy',
    PORTICO_GIT_INTERVAL: '1',
    PORTICO_DEMO_GATEWAY_URL: gatewayUrl,
    PORTICO_OFFLINE: '1',
  });
  gateway = await startDemoGateway(gatewayConfig, { port: gatewayPort, haproxyBin: HAPROXY }, () => {});
  expect(gateway.status().running, gateway.summary()).toBe(true);
}, 400_000);

afterAll(async () => {
  await gateway?.stop();
  if (balancer && balancer.exitCode === null) {
    const exited = new Promise((resolve) => balancer!.once('exit', resolve));
    balancer.kill('SIGTERM');
    await exited;
  }
  await Promise.all(replicas.map((r) => r.stop()));
  await database?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('two replicas on one PostgreSQL and one Git remote, behind HAProxy', () => {
  let appId = '';
  let key = { key: '', keyId: '' };

  it('signs a consumer up, subscribes, makes a key and calls the API through Try it (200), with requests on both replicas', async () => {
    const email = 'replicas@example.test';
    const password = 'a long enough password';
    expect((await call('POST', '/auth/signup', { email, password })).status).toBe(202);
    // The mail is a file in the data directory of the replica that sent it.
    const token = await until('the confirmation mail', async () => {
      for (const dir of dataDirs) {
        try {
          return mailedToken(dir, email);
        } catch {}
      }
      return undefined;
    });
    expect((await call('POST', '/auth/verify-email', { token, password })).status).toBe(200);
    const created = await call('POST', '/applications', { name: 'Dispatch board' });
    expect(created.status).toBe(201);
    appId = created.body.application.id;
    const subscribed = await call('POST', `/applications/${appId}/subscriptions`, { offer: OFFER });
    expect(subscribed.status).toBe(201);
    const subscription = subscribed.body.subscription.id;
    await settles(appId, 'subscriptions', subscription, 'active');
    const made = await call('POST', `/applications/${appId}/keys`, { title: 'screens' });
    expect(made.status).toBe(201);
    key = { key: made.body.key, keyId: made.body.keyId };
    expect(key.key).toMatch(/^ptc_live_/);
    await settles(appId, 'keys', key.keyId, 'active');
    await gatewayHasBranchTip();
    const answer = await tryIt(key.key);
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(operation.example);
    // Round-robin: the journey's requests were answered by both replicas.
    expect(new Set(answeredBy)).toEqual(new Set(['a', 'b']));
  }, 300_000);

  it('revokes the key on one replica; the gateway then refuses it (401) whichever replica relays', async () => {
    const revoked = await call('DELETE', `/applications/${appId}/keys/${key.keyId}`);
    expect(revoked.status).toBe(202);
    await settles(appId, 'keys', key.keyId, 'revoked');
    await gatewayHasBranchTip();
    const answers = [await tryIt(key.key), await tryIt(key.key)];
    expect(answers.map((a) => a.status)).toEqual([401, 401]);
    expect(new Set(answers.map((a) => a.replica))).toEqual(new Set(['a', 'b']));
  }, 200_000);

  it('serves a spec change pushed to the remote from both replicas, with no failed request during the switch', async () => {
    const page = await fetch(`${base}/apis/shipments/`).then((r) => r.text());
    const asset = /(?:href|src)="(\/_astro\/[^"]+)"/.exec(page)?.[1];
    expect(asset).toBeDefined();
    const addresses = ['/', '/apis/shipments/', '/plans/', '/api/v1/status', asset!];
    const load = requestsUnderLoad(base, addresses);
    const commit = remote.push('Rename the Shipments API', (dir) => {
      const file = path.join(dir, SHIPMENTS_API);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}title: Shipments$/m, '  title: Freight Shipments'));
    });
    // Each replica notices the commit at its next poll and builds it itself.
    for (const replica of replicas) {
      await until(
        `${replica.base} to serve the renamed API`,
        async () => {
          const status = (await fetch(`${replica.base}/api/v1/status`).then((r) => r.json())) as { docs: { commit: string | null } };
          if (status.docs.commit === null) return undefined;
          try {
            gitIn(remote.url, 'merge-base', '--is-ancestor', commit, status.docs.commit);
          } catch {
            return undefined;
          }
          return (await fetch(`${replica.base}/apis/shipments/`).then((r) => r.text())).includes('Freight Shipments') ? true : undefined;
        },
        300,
      );
    }
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.replicas).toEqual(new Set(['a', 'b']));
    expect(balancerOutput).not.toMatch(/is DOWN/);
  }, 400_000);
});
