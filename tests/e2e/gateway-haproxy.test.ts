import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY_BIND_ENV, HAPROXY_DIR_ENV, renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import type { Grant, PlanLimits } from '../../src/lib/gitops/render/types.ts';
import { freePort } from '../support/portal.ts';

// The Debian package's binary; .ci/run installs it.
const HAPROXY = '/usr/sbin/haproxy';
const golden = path.resolve(import.meta.dirname, '../golden/render-haproxy');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A key in Portico's shape, made at run time so no key-shaped string is ever committed. */
function newKey(): string {
  const random = Array.from({ length: 38 }, () => BASE62[randomInt(62)]).join('');
  return [process.env.PORTICO_TEST_KEY_PREFIX ?? 'ptc', 'test', random].join('_');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const keys = { fresh: newKey(), second: newKey(), suspended: newKey(), limited: newKey(), unsubscribed: newKey(), quota: newKey() };

// A quota window so long that the test never straddles two windows (windows are fixed, from 1970).
const QUOTA_WINDOW = 1_000_000;
const LIMITS: PlanLimits = new Map([
  ['apps/wide', { rateLimit: { requests: 1000, periodSeconds: 60 } }],
  ['apps/tight', { rateLimit: { requests: 5, periodSeconds: 10 } }],
  ['apps/capped', { rateLimit: { requests: 1000, periodSeconds: 60 }, quota: { requests: 3, periodSeconds: QUOTA_WINDOW } }],
]);

function grant(applicationId: string, plan: string | undefined, entries: Array<[string, string, boolean?]>): Grant {
  return {
    applicationId,
    ownerId: 'acct-e2e',
    applicationName: applicationId,
    namespace: 'apps',
    subscriptions: plan ? [{ id: `${applicationId}-sub`, offer: 'apps/offer', apis: ['apps/echo'], bundles: [], plan, operationFilter: [] }] : [],
    keys: entries.map(([keyId, key, suspended]) => ({ keyId, sha256: sha256(key), title: keyId, suspended: suspended ?? false })),
  };
}

/** The grants in Git; `withSecond: false` is the state after the second key was revoked. */
function grants(withSecond: boolean): Grant[] {
  return [
    grant('app-fresh', 'apps/wide', [['fresh001', keys.fresh], ...(withSecond ? [['second01', keys.second] as [string, string]] : []), ['suspend1', keys.suspended, true]]),
    grant('app-limited', 'apps/tight', [['limited1', keys.limited]]),
    grant('app-unsubscribed', undefined, [['unsub001', keys.unsubscribed]]),
    grant('app-capped', 'apps/capped', [['capped01', keys.quota]]),
  ];
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let workDir: string;
let mapDir: string;
let mainConfig: string;
let fragment: string;
let port: number;
let upstream: Server;
let haproxy: ChildProcess | undefined;
let haproxyOutput = '';
const started: ChildProcess[] = [];

/** One request on its own connection, so a reload is never hidden behind a kept-alive socket. */
function get(headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/echo', headers, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request to haproxy timed out')));
    req.on('error', reject);
    req.end();
  });
}

function writeRendered(withSecond: boolean) {
  for (const [file, text] of renderHaproxy(grants(withSecond), LIMITS)) {
    mkdirSync(path.dirname(path.join(workDir, file)), { recursive: true });
    writeFileSync(path.join(workDir, file), text);
  }
}

function haproxyEnv(): NodeJS.ProcessEnv {
  return { ...process.env, [HAPROXY_DIR_ENV]: mapDir, [HAPROXY_BIND_ENV]: `127.0.0.1:${port}` };
}

/** Starts haproxy in the foreground; with `replacing`, as a soft reload (-sf) of that process. */
async function startHaproxy(replacing?: ChildProcess): Promise<ChildProcess> {
  const args = ['-f', mainConfig, '-f', fragment, '-db', ...(replacing?.pid ? ['-sf', String(replacing.pid)] : [])];
  const child = spawn(HAPROXY, args, { env: haproxyEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  child.stdout!.on('data', (d: Buffer) => (haproxyOutput += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (haproxyOutput += d.toString()));
  if (replacing) await waitForExit(replacing, 10_000);
  // Bounded wait until the new process answers.
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${haproxyOutput}`);
    try {
      await get();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`haproxy did not answer on port ${port} within 10 s:\n${haproxyOutput}`);
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haproxy ${child.pid} did not exit within ${ms} ms`)), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function problem(reply: Reply): { title: string; status: number; detail: string } {
  expect(reply.headers['content-type']).toBe('application/problem+json');
  return JSON.parse(reply.body);
}

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: install the Debian package "haproxy" (.ci/run does)`);
  workDir = mkdtempSync(path.join(tmpdir(), 'portico-haproxy-'));
  mapDir = path.join(workDir, 'haproxy');
  fragment = path.join(mapDir, 'portico.cfg');
  mainConfig = path.join(workDir, 'haproxy.cfg');

  // The upstream echoes the headers it received, so the test sees what HAProxy forwards.
  upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as { port: number }).port;
  port = await freePort();

  // What the operator writes once; Portico commits everything under haproxy/.
  writeFileSync(
    mainConfig,
    [
      'global',
      '    maxconn 256',
      '',
      'defaults',
      '    mode http',
      '    timeout connect 5s',
      '    timeout client 10s',
      '    timeout server 10s',
      '',
      'backend portico_upstream',
      `    server echo 127.0.0.1:${upstreamPort}`,
      '',
    ].join('\n'),
  );
  writeRendered(true);

  const check = spawnSync(HAPROXY, ['-c', '-f', mainConfig, '-f', fragment], { env: haproxyEnv(), encoding: 'utf8' });
  expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  haproxy = await startHaproxy();
}, 30_000);

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await waitForExit(child, 5_000).catch(() => child.kill('SIGKILL'));
    }
  }
  await new Promise((resolve) => upstream?.close(resolve));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('a real HAProxy enforcing the rendered haproxy target', () => {
  it('accepts every golden portico.cfg as valid configuration', () => {
    const expected = readdirSync(golden).filter((name) => name.endsWith('-expected'));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    for (const name of expected) {
      const dir = path.join(golden, name, 'haproxy');
      const result = spawnSync(HAPROXY, ['-c', '-f', mainConfig, '-f', path.join(dir, 'portico.cfg')], {
        env: { ...haproxyEnv(), [HAPROXY_DIR_ENV]: dir },
        encoding: 'utf8',
      });
      expect(result.status, `${name}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it('lets a fresh key through to the upstream, which learns the application and never the key', async () => {
    const reply = await get({ 'X-API-Key': keys.fresh, 'X-Portico-Application': 'app-spoofed' });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body).headers as IncomingHttpHeaders;
    expect(seen['x-portico-application']).toBe('app-fresh');
    expect(seen['x-api-key']).toBeUndefined();
  });

  it('accepts the key as Authorization: Bearer too, and does not forward it', async () => {
    const reply = await get({ Authorization: `Bearer ${keys.fresh}` });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).headers.authorization).toBeUndefined();
  });

  it('answers 401 with a problem+json body for an unknown key, a missing key and a suspended key', async () => {
    const cases: Array<Record<string, string>> = [{ 'X-API-Key': newKey() }, {}, { 'X-API-Key': keys.suspended }];
    for (const headers of cases) {
      const reply = await get(headers);
      expect(reply.status).toBe(401);
      expect(problem(reply)).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('answers 403 for a valid key whose application has no subscription', async () => {
    const reply = await get({ 'X-API-Key': keys.unsubscribed });
    expect(reply.status).toBe(403);
    expect(problem(reply).detail).toContain('no subscription');
  });

  it('answers 429 with Retry-After once the plan limit (5 per 10 s) is used up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get({ 'X-API-Key': keys.limited })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await get({ 'X-API-Key': keys.limited });
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('10');
    expect(problem(over)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // Other applications keep their own counters.
    expect((await get({ 'X-API-Key': keys.fresh })).status).toBe(200);
  });

  it('answers 429 "quota used up" once the quota (3 per window) is spent, with the seconds left in the window', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get({ 'X-API-Key': keys.quota })).status);
    expect(statuses).toEqual([200, 200, 200]);
    const over = await get({ 'X-API-Key': keys.quota });
    const left = QUOTA_WINDOW - (Math.floor(Date.now() / 1000) % QUOTA_WINDOW);
    expect(over.status).toBe(429);
    expect(Math.abs(Number(over.headers['retry-after']) - left)).toBeLessThanOrEqual(2);
    const body = problem(over);
    expect(body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(body.detail).toMatch(/^Quota used up/);
    // The quota is the application's, not the gateway's.
    expect((await get({ 'X-API-Key': keys.fresh })).status).toBe(200);
  });

  it('refuses a key with 401 once a re-render without it is loaded by a reload (haproxy -sf)', async () => {
    expect((await get({ 'X-API-Key': keys.second })).status).toBe(200);
    writeRendered(false);
    haproxy = await startHaproxy(haproxy);
    expect((await get({ 'X-API-Key': keys.second })).status).toBe(401);
    expect((await get({ 'X-API-Key': keys.fresh })).status).toBe(200);
  });
});
