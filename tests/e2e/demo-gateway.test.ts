import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, type Config } from '../../src/lib/config.ts';
import { startDemoGateway, type DemoGateway } from '../../src/lib/gateway/demo-gateway.ts';
import { getGatewayStatus, kickGatewaySync } from '../../src/lib/gateway/status.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { publishRendered } from '../../src/lib/gitops/publish.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { freePort, projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

// The Debian package's binary; .ci/run installs it.
const HAPROXY = '/usr/sbin/haproxy';
const content = path.join(projectRoot, 'content');
const OPERATION = '/shipments/v2/locations/NL-AMS-HUB1';

/** The example the spec gives for getLocation: what the demo upstream must answer. */
function specExample(): unknown {
  const spec = parse(readFileSync(path.join(content, 'clusters/production/logistics/apis/shipments/shipments-v2/openapi.yaml'), 'utf8'));
  return spec.paths['/locations/{locationId}'].get.responses['200'].content['application/json'].example;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection, so a reloaded HAProxy is never hidden behind a kept-alive socket. */
function call(port: number, pathname: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, headers, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`request to 127.0.0.1:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Live haproxy processes started for this data directory (their command line names its config). */
function haproxyProcesses(dataDir: string): number[] {
  const config = path.join(dataDir, 'gateway', 'haproxy.cfg');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(config);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A key in Portico's shape, made at run time so no key-shaped string is ever committed. */
function newKey(): string {
  return ['ptc', 'test', Array.from({ length: 38 }, () => BASE62[randomInt(62)]).join('')].join('_');
}

beforeAll(() => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is missing: install the Debian package "haproxy" (.ci/run does)`);
});

describe('npm start: the portal, the demo gateway (a real HAProxy) and the demo upstream on one machine', () => {
  let portal: RunningPortal;
  let gatewayPort: number;
  let cookie = '';
  let appId: string;
  let key: string;
  let keyId: string;

  async function api(method: string, route: string, body?: unknown) {
    const res = await fetch(`${portal.base}/api/v1${route}`, {
      method,
      headers: { origin: portal.base, cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set?.startsWith('portico_session=')) cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    portal = await startPortal({ PORTICO_GIT_INTERVAL: '1' });
    gatewayPort = portal.gatewayPort;
    await signUpConfirmed(api, portal.dataDir, 'gateway@example.test', 'a long enough password', '');
  }, 180_000);
  afterAll(async () => portal?.stop());

  it('says where the gateway listens, and GET /api/v1/gateway reports it', async () => {
    expect(portal.output()).toMatch(new RegExp(`the demo gateway \\(HAProxy 2\\.[^)]*\\) listens on http://localhost:${gatewayPort} and enforces the API keys committed to main:consumers/haproxy`));
    const res = await fetch(`${portal.base}/api/v1/gateway`);
    expect(res.status).toBe(200);
    const status = await res.json();
    expect(status).toMatchObject({ running: true, url: `http://localhost:${gatewayPort}` });
    expect(status.upstreamUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.note).toContain('HAProxy');
  });

  it('refuses a call without a key with 401 and a problem document', async () => {
    const reply = await call(gatewayPort, OPERATION);
    expect(reply.status).toBe(401);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.body)).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it("lets an active key through to the demo upstream, which answers with the spec's example and says it is a demo", async () => {
    appId = (await api('POST', '/applications', { name: 'Gateway demo' })).body.application.id;
    expect((await api('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/public-starter' })).status).toBe(201);
    const created = await api('POST', `/applications/${appId}/keys`, { title: 'demo' });
    expect(created.status).toBe(201);
    ({ key, keyId } = created.body);
    await until('the key to become active', async () => {
      const { body } = await api('GET', `/applications/${appId}`);
      return body.application.keys[0].status === 'active' ? true : undefined;
    });
    // Active means on the branch; HAProxy loads that commit at its next look (PORTICO_GIT_INTERVAL=1).
    const reply = await until(
      'the gateway to let the key in',
      async () => {
        const r = await call(gatewayPort, OPERATION, { 'X-API-Key': key });
        return r.status === 401 ? undefined : r;
      },
      20,
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['x-portico-demo']).toBe('true');
    expect(JSON.parse(reply.body)).toEqual(specExample());
    // The key works as a bearer token too, and the gateway runs the branch's tip.
    expect((await call(gatewayPort, OPERATION, { Authorization: `Bearer ${key}` })).status).toBe(200);
    const tip = execFileSync('git', ['rev-parse', 'main'], { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8' }).trim();
    expect((await (await fetch(`${portal.base}/api/v1/gateway`)).json()).commit).toBe(tip);
  });

  it("answers 429 with Retry-After past the plan's rate limit (Starter: 10 requests a second)", async () => {
    const replies = await Promise.all(Array.from({ length: 25 }, () => call(gatewayPort, OPERATION, { 'X-API-Key': key })));
    const statuses = replies.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    const refused = replies.find((r) => r.status === 429)!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it('refuses the key with 401 once its revocation is committed and HAProxy has reloaded', async () => {
    const res = await fetch(`${portal.base}/api/v1/applications/${appId}/keys/${keyId}`, { method: 'DELETE', headers: { origin: portal.base, cookie } });
    expect([202, 204]).toContain(res.status);
    const sha = createHash('sha256').update(key).digest('hex');
    await until('the key to leave the committed keys.map', async () => {
      const map = execFileSync('git', ['show', 'main:consumers/haproxy/keys.map'], { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8' });
      return map.includes(sha) ? undefined : true;
    });
    const reply = await until(
      'the gateway to refuse the revoked key',
      async () => {
        const r = await call(gatewayPort, OPERATION, { 'X-API-Key': key });
        return r.status === 401 ? r : undefined;
      },
      20,
    );
    expect(JSON.parse(reply.body).detail).toContain('unknown, revoked, suspended or expired');
    expect(portal.output()).toContain('gateway: HAProxy reloaded with main:consumers/haproxy at');
  });

  it('leaves no haproxy process behind when the portal stops', async () => {
    const dataDir = portal.dataDir;
    expect(haproxyProcesses(dataDir).length).toBeGreaterThanOrEqual(1);
    await portal.stop();
    // HAProxy was signalled before the portal exited; give it a moment to finish exiting.
    await until('every haproxy of this portal to exit', async () => (haproxyProcesses(dataDir).length === 0 ? true : undefined), 5);
    await expect(call(gatewayPort, OPERATION)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('npm start without HAProxy', () => {
  let portal: RunningPortal;
  let gatewayPort: number;

  beforeAll(async () => {
    portal = await startPortal({ PORTICO_HAPROXY_BIN: '/nonexistent/sbin/haproxy' });
    gatewayPort = portal.gatewayPort;
  }, 180_000);
  afterAll(async () => portal?.stop());

  it('says the gateway is not running and why, and the portal runs all the same', async () => {
    expect(portal.output()).toMatch(
      /the demo gateway is not running: PORTICO_HAPROXY_BIN=\/nonexistent\/sbin\/haproxy is not an executable file; the demo upstream answers at http:\/\/127\.0\.0\.1:\d+ without checking keys/,
    );
    expect((await fetch(`${portal.base}/healthz`)).status).toBe(200);
  });

  it('reports it at GET /api/v1/gateway, with the upstream a console may call directly', async () => {
    const status = await (await fetch(`${portal.base}/api/v1/gateway`)).json();
    expect(status).toMatchObject({ running: false, url: null, commit: null });
    expect(status.note).toMatch(/^The demo gateway is not running: .*API keys and limits are not checked/);
    const direct = await fetch(`${status.upstreamUrl}${OPERATION}`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('x-portico-demo')).toBe('true');
    await expect(call(gatewayPort, OPERATION)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('the demo gateway on its own: port taken, and a new commit loaded by a reload', () => {
  let dataDir: string;
  let config: Config;
  let gateway: DemoGateway | undefined;
  let blocker: Server | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'portico-gateway-'));
    config = loadConfig({ PORTICO_DATA_DIR: dataDir, PORTICO_CONTENT_DIR: content, PORTICO_OFFLINE: '1', PORTICO_GIT_INTERVAL: '1', PORTICO_GATEWAYS: 'haproxy' });
    await ensureLocalRemote(path.join(dataDir, 'gitops.git'), content, 'main');
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    if (dataDir) {
      expect(haproxyProcesses(dataDir)).toEqual([]);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('goes on without HAProxy, saying so, when another program holds the port', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve));
    const lines: string[] = [];
    const taken = await startDemoGateway(config, { port, haproxyBin: HAPROXY }, (line) => lines.push(line));
    try {
      expect(taken.status()).toMatchObject({ running: false, url: null });
      expect(taken.summary()).toContain(`the demo gateway is not running: port ${port} is already in use by another program (choose another with PORTICO_GATEWAY_PORT)`);
      expect(getGatewayStatus().note).toContain(`port ${port} is already in use`);
      expect(haproxyProcesses(dataDir)).toEqual([]);
    } finally {
      await taken.stop();
      await new Promise((resolve) => blocker!.close(resolve));
      blocker = undefined;
    }
  });

  it('refuses every key until a policy is committed, loads each new commit with a graceful reload, and never a policy HAProxy refuses', async () => {
    const port = await freePort();
    const lines: string[] = [];
    gateway = await startDemoGateway(config, { port, haproxyBin: HAPROXY }, (line) => lines.push(line));
    expect(gateway.status()).toMatchObject({ running: true, url: `http://localhost:${port}` });
    expect(gateway.status().note).toContain('no haproxy policy is committed to main:consumers/haproxy yet, so every key is refused');
    const apiKey = newKey();
    expect((await call(port, OPERATION, { 'X-API-Key': apiKey })).status).toBe(401);

    // What the Git writer does: render the grants and push them to the target branch.
    const workspace = new GitWorkspace(path.join(dataDir, 'writer'), { url: path.join(dataDir, 'gitops.git'), branch: 'main', author: { name: 'Test', email: 'test@localhost' } });
    const grant = {
      applicationId: 'app-demo',
      ownerId: 'acct',
      applicationName: 'Demo',
      namespace: 'logistics',
      subscriptions: [{ id: 'sub-1', offer: 'logistics/public-starter', apis: ['logistics/shipments'], bundles: [], plan: 'logistics/starter', operationFilter: [] }],
      keys: [{ keyId: 'k1', sha256: createHash('sha256').update(apiKey).digest('hex'), title: 'demo', suspended: false }],
    };
    const limits = new Map([['logistics/starter', { rateLimit: { requests: 10, periodSeconds: 1 }, quota: { requests: 1000, periodSeconds: 86_400 } }]]);
    const published = await publishRendered(workspace, 'consumers', () => renderHaproxy([grant], limits), 'Grant a key', { 'Portico-Request': 'req-test' });
    kickGatewaySync();
    // The status names a commit once its reload is done (the new process answers a little before that):
    // from then on, what HAProxy answers is that commit's policy.
    await until('the new commit to be loaded', async () => (gateway!.status().commit === published.commit ? true : undefined), 15);
    const reply = await call(port, OPERATION, { 'X-API-Key': apiKey });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-portico-demo']).toBe('true');
    expect(gateway.status()).toMatchObject({ running: true, commit: published.commit });
    expect(gateway.status().note).toContain(`it enforces main:consumers/haproxy at ${published.commit!.slice(0, 7)}`);
    expect(lines.join('\n')).toContain(`gateway: HAProxy reloaded with main:consumers/haproxy at ${published.commit!.slice(0, 7)}`);
    // A reload leaves one serving process: the old one finished and exited.
    await until('the old haproxy to exit', async () => (haproxyProcesses(dataDir).length === 1 ? true : undefined), 10);

    // A commit HAProxy refuses never replaces the running policy; it is reported, and the next good commit loads.
    const good = renderHaproxy([grant], limits);
    const broken = new Map([...good, ['haproxy/portico.cfg', 'frontend portico\n    bind "${PORTICO_HAPROXY_BIND}"\n    http-request this-is-not-a-rule\n']]);
    const bad = await publishRendered(workspace, 'consumers', () => broken, 'Break the policy', { 'Portico-Request': 'req-broken' });
    kickGatewaySync();
    await until('the broken commit to be reported', async () => (gateway!.status().note.includes('HAProxy refuses the committed policy') ? true : undefined), 15);
    expect(lines.join('\n')).toMatch(/gateway: HAProxy refuses the committed policy: .*this-is-not-a-rule/);
    expect(gateway.status()).toMatchObject({ running: true, commit: published.commit });
    expect((await call(port, OPERATION, { 'X-API-Key': apiKey })).status).toBe(200);
    const fixed = await publishRendered(workspace, 'consumers', () => renderHaproxy([], limits), 'Revoke the key', { 'Portico-Request': 'req-fixed' });
    expect(fixed.commit).not.toBe(bad.commit);
    kickGatewaySync();
    await until('the fixed commit to be loaded', async () => (gateway!.status().commit === fixed.commit ? true : undefined), 15);
    expect((await call(port, OPERATION, { 'X-API-Key': apiKey })).status).toBe(401);
    expect(gateway.status()).toMatchObject({ running: true, commit: fixed.commit });
    expect(gateway.status().note).not.toContain('Last problem');

    await gateway.stop();
    gateway = undefined;
    expect(haproxyProcesses(dataDir)).toEqual([]);
    await expect(call(port, OPERATION)).rejects.toThrow(/ECONNREFUSED/);
  });
});
