import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { mailedToken } from '../support/mail.ts';

const metricsToken = randomBytes(24).toString('hex');
let portal: RunningPortal;
let cookie = '';
let stdoutAtStart = 0;
let stderrAtStart = 0;

async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${portal.base}/api/v1${route}`, {
    method,
    headers: { origin: portal.base, cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const set = res.headers.get('set-cookie');
  if (set?.startsWith('portico_session=')) cookie = set.split(';')[0]!;
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const scrape = (authorization?: string) => fetch(`${portal.base}/metrics`, { headers: authorization ? { authorization } : {} });

/** Samples of the text format, by name: `{ labels, value }` per line. */
function parseMetrics(text: string): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const out = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    const list = out.get(m[1]!) ?? [];
    list.push({ labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

const value = (samples: ReturnType<typeof parseMetrics>, name: string, labels: Record<string, string> = {}) =>
  samples.get(name)?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** The lines of `text` that have ended: a line still being written has no newline yet. */
const wholeLines = (text: string) => text.slice(0, text.lastIndexOf('\n') + 1).split('\n');

let appId: string;
let key: string;
const signupRequestId = `e2e-signup-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  portal = await startPortal({ PORTICO_GIT_INTERVAL: '1', PORTICO_METRICS_TOKEN: metricsToken });
  stdoutAtStart = portal.stdout().length;
  stderrAtStart = portal.stderr().length;
  const signup = await api('POST', '/auth/signup', { email: 'ops@example.test', password: 'a long enough password' }, { 'x-request-id': signupRequestId });
  expect(signup.status).toBe(202);
  expect((await api('POST', '/auth/verify-email', { token: mailedToken(portal.dataDir, 'ops@example.test'), password: 'a long enough password' })).status).toBe(200);
  const created = await api('POST', '/applications', { name: 'Metrics widget' });
  expect(created.status).toBe(201);
  appId = created.body.application.id;
  const k = await api('POST', `/applications/${appId}/keys`, { title: 'production' });
  expect(k.status).toBe(201);
  key = k.body.key;
}, 180_000);
afterAll(async () => portal?.stop());

describe('request ids', () => {
  it('returns an id on every answer, keeping a well-formed one the caller sent', async () => {
    const fresh = await api('GET', '/me');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await api('GET', '/me', undefined, { 'x-request-id': 'proxy-1234abcd' });
    expect(kept.headers.get('x-request-id')).toBe('proxy-1234abcd');
    const replaced = await api('GET', '/me', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the id in problem documents, so a person can quote it', async () => {
    const missing = await api('GET', '/applications/app-does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.body.requestId).toBe(missing.headers.get('x-request-id'));
    const foreign = await fetch(`${portal.base}/api/v1/applications`, { method: 'POST', headers: { origin: 'https://evil.example', cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).requestId).toBe(foreign.headers.get('x-request-id'));
  });
});

describe('/metrics', () => {
  it('answers only the configured token, in constant time, with a problem document otherwise', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect((await none.json()).detail).toContain('PORTICO_METRICS_TOKEN');
    expect((await scrape(`Bearer ${metricsToken.slice(1)}`)).status).toBe(401);
    const ok = await scrape(`Bearer ${metricsToken}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('shows the outbox, the grants and request durations by route pattern, with sane values', async () => {
    // The writer publishes within a pass or two (PORTICO_GIT_INTERVAL=1); the gauges follow.
    const samples = await until('the outbox to drain', async () => {
      const s = parseMetrics(await (await scrape(`Bearer ${metricsToken}`)).text());
      return value(s, 'portico_outbox_depth') === 0 ? s : undefined;
    });
    expect(value(samples, 'portico_outbox_oldest_age_seconds')).toBe(0);
    const keys = samples.get('portico_grants')!.filter((s) => s.labels.kind === 'key');
    expect(keys.reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(keys.find((s) => s.value === 1)?.labels.status).toMatch(/^(committed|active)$/);
    expect(samples.get('portico_grants')!.every((s) => Number.isInteger(s.value) && s.value >= 0)).toBe(true);

    const http = { method: 'POST', route: '/api/v1/applications/[id]/keys', status: '201' };
    expect(value(samples, 'portico_http_request_duration_seconds_count', http)).toBe(1);
    expect(value(samples, 'portico_http_request_duration_seconds_sum', http)).toBeGreaterThan(0);
    expect(value(samples, 'portico_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/auth/signup', status: '202' })).toBe(1);
    // Buckets are cumulative and end at the count.
    const buckets = samples.get('portico_http_request_duration_seconds_bucket')!.filter((s) => s.labels.route === http.route && s.labels.method === 'POST');
    const counts = buckets.map((b) => b.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 1 });
  });

  it("shows the process's own figures from prom-client: CPU, memory, heap, event-loop lag and GC", async () => {
    const text = await (await scrape(`Bearer ${metricsToken}`)).text();
    const samples = parseMetrics(text);
    expect(value(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(value(samples, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.get('nodejs_heap_space_size_used_bytes')!.every((s) => typeof s.labels.space === 'string' && s.value >= 0)).toBe(true);
    expect(samples.get('nodejs_version_info')).toEqual([{ labels: expect.objectContaining({ version: process.version }), value: 1 }]);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram\n');
    // Each family is exposed once, whoever defines it.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('exposes counts only: no id, key or cookie', async () => {
    const text = await (await scrape(`Bearer ${metricsToken}`)).text();
    for (const secret of [appId, key, key.slice(9, 17), cookie.split('=')[1]!, 'ops@example.test']) expect(text).not.toContain(secret);
  });
});

describe('the server log', () => {
  it('writes every structured line as JSON, with one access line per request carrying its id', async () => {
    const queryToken = randomBytes(12).toString('hex');
    const catalogAnswer = await api('GET', `/catalog?token=${queryToken}`);
    expect(catalogAnswer.status).toBe(200);
    const catalogRequestId = catalogAnswer.headers.get('x-request-id');
    // The access line is written after the answer is sent, and reaches our pipe when the machine gets to it: wait for that very line.
    const records = await until(`the access line of the catalog request ${catalogRequestId} in the portal's output`, async () => {
      const lines = [portal.stdout().slice(stdoutAtStart), portal.stderr().slice(stderrAtStart)].flatMap(wholeLines).filter((l) => l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      return parsed.some((r) => r.msg === 'request' && r.requestId === catalogRequestId) ? parsed : undefined;
    });
    expect(records.length).toBeGreaterThan(5);
    for (const r of records) expect(r).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(info|warn|error)$/), msg: expect.any(String) });
    const access = records.filter((r) => r.msg === 'request');
    for (const r of access)
      expect(r).toMatchObject({
        requestId: expect.any(String),
        method: expect.any(String),
        path: expect.stringMatching(/^\//),
        route: expect.any(String),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });

    const signup = access.find((r) => r.requestId === signupRequestId);
    expect(signup).toMatchObject({ method: 'POST', path: '/api/v1/auth/signup', route: '/api/v1/auth/signup', status: 202 });
    const keyLine = access.find((r) => r.path === `/api/v1/applications/${appId}/keys`);
    expect(keyLine).toMatchObject({ route: '/api/v1/applications/[id]/keys', status: 201, accountId: expect.any(String) });
    // The path only: a query string may hold a token.
    const catalog = access.find((r) => r.requestId === catalogRequestId);
    expect(catalog).toMatchObject({ path: '/api/v1/catalog', status: 200 });
    expect(portal.output()).not.toContain(queryToken);
  });

  it('never holds the plaintext key or the session cookie', () => {
    const output = portal.output();
    const session = decodeURIComponent(cookie.split('=')[1]!);
    expect(session.length).toBeGreaterThan(20);
    expect(output).not.toContain(key);
    expect(output).not.toContain(session);
    expect(output).not.toContain(session.split('.')[1]!);
    expect(output).not.toContain(metricsToken);
  });
});
