import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { launchBrowser } from '../support/browser.ts';
import { portalClient, type Answer, type PortalClient } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

/*
 * Attacks against a running portal, each refused. Hostile Markdown in specs and guides is covered
 * by tests/e2e/docs-hostile.test.ts, the relay's own rules by tests/e2e/relay.test.ts, and the
 * per-account sign-in limit by tests/e2e/account-api.test.ts; this file adds what they do not.
 */

const PASSWORD = 'a long enough password';
const EVIL = 'https://evil.example';
const work = mkdtempSync(path.join(tmpdir(), 'portico-attacks-'));

// A declared API server on loopback (the admin allows it), and another local service nobody declared.
const upstreamSeen: string[] = [];
const bystanderSeen: string[] = [];
let upstream: Server;
let bystander: Server;
let upstreamPort = 0;
let bystanderPort = 0;

let database: TestDatabase;
let portal: RunningPortal;
let admin: PortalClient;
let ada: PortalClient;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  bystander = createServer((req, res) => {
    bystanderSeen.push(req.url!);
    res.end('internal secret');
  });
  bystanderPort = await listen(bystander);
  upstream = createServer((req, res) => {
    upstreamSeen.push(req.url!);
    const redirects: Record<string, string> = {
      '/parcels/to-metadata': 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      '/parcels/to-bystander': `http://127.0.0.1:${bystanderPort}/secret`,
      '/parcels/to-outside-prefix': `http://127.0.0.1:${upstreamPort}/admin`,
    };
    if (redirects[req.url!]) return void res.writeHead(302, { location: redirects[req.url!] }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  upstreamPort = await listen(upstream);

  // A small content repository whose one API's server is the upstream above.
  const content = path.join(work, 'content');
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
  // The portal's logo from its own /logo.svg, as the demo has it: a page must not reach out to another host.
  const portalFile = path.join(content, 'catalog.yaml');
  writeFileSync(portalFile, readFileSync(portalFile, 'utf8').replace('logoUrl: https://developer.example.test/logo.svg', 'logoUrl: /logo.svg'));
  const spec = path.join(content, 'apis/parcels/openapi.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('https://api.example.test/parcels', `http://127.0.0.1:${upstreamPort}/parcels`));

  database = await freshPostgres();
  portal = await startPortal({
    DATABASE_URL: database.url!,
    PORTICO_CONTENT_DIR: content,
    PORTICO_RELAY_ALLOW: `127.0.0.1:${upstreamPort}`,
    PORTICO_ADMIN_EMAILS: 'admin@example.test',
  });
  admin = portalClient(portal.base);
  ada = portalClient(portal.base);
  await signUpConfirmed(admin.call, portal.dataDir, 'admin@example.test', PASSWORD);
  await signUpConfirmed(ada.call, portal.dataDir, 'ada@example.test', PASSWORD);
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await database?.close();
  await Promise.all([upstream, bystander].map((s) => s && new Promise((r) => s.close(r))));
  rmSync(work, { recursive: true, force: true });
});

/** Every state-changing method of every route file under src/pages/api/v1: new routes are covered without editing this test. */
function stateChangingRoutes(): Array<[string, string]> {
  const root = path.join(projectRoot, 'src/pages/api/v1');
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const routes: Array<[string, string]> = [];
  for (const file of files(root).filter((f) => /\.(ts|js)$/.test(f))) {
    const route = `/api/v1/${path
      .relative(root, file)
      .replace(/\.(ts|js)$/, '')
      .replace(/(^|\/)index$/, '')}`
      .replace(/\[\.\.\.[^\]]+\]/g, 'any/path')
      .replace(/\[[^\]]+\]/g, 'some-id');
    const methods = [...readFileSync(file, 'utf8').matchAll(/export\s+(?:const|(?:async\s+)?function)\s+(POST|PUT|PATCH|DELETE|ALL)\b/g)].map((m) => m[1]!);
    for (const method of methods) for (const m of method === 'ALL' ? ['POST', 'PUT', 'PATCH', 'DELETE'] : [method]) routes.push([m, route]);
  }
  return routes;
}

async function raw(method: string, route: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return portalClient(portal.base, { origin: null }).call(method, route, body, headers);
}

describe('cross-site request forgery', () => {
  const routes = stateChangingRoutes();

  it('finds the state-changing routes of the API', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(routes).toContainEqual(['POST', '/api/v1/applications/some-id/keys']);
    expect(routes).toContainEqual(['DELETE', '/api/v1/admin/keys/some-id']);
  });

  const forged: Array<[string, Record<string, string>]> = [
    ['a foreign Origin', { origin: EVIL }],
    ['Origin: null (a sandboxed frame or a data: page)', { origin: 'null' }],
    ['a look-alike Origin', { origin: 'http://127.0.0.1.evil.example' }],
    ['no Origin and Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin and Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['neither Origin nor Sec-Fetch-Site, with the session cookie', {}],
  ];

  it.each(forged)('refuses every state-changing route with %s, as a 403 problem', async (_what, headers) => {
    const refusedAll: string[] = [];
    for (const [method, route] of [...routes, ['POST', '/relay?url=x'] as [string, string]]) {
      const res = await raw(method, route, { cookie: admin.cookie(), 'content-type': 'application/json', ...headers }, method === 'DELETE' ? undefined : '{"name":"forged","title":"forged"}');
      refusedAll.push(`${method} ${route}: ${res.status} ${res.body?.code}`);
    }
    expect(refusedAll.filter((r) => !r.endsWith(': 403 cross-origin'))).toEqual([]);
  });

  it('changed nothing: the admin is still signed in and has no forged application', async () => {
    expect((await admin.call('GET', '/api/v1/me')).status).toBe(200);
    expect((await admin.call('GET', '/api/v1/applications')).body.applications).toEqual([]);
  });
});

describe('sessions', () => {
  it('issues a new session at sign-in, whatever cookie the browser brought (fixation)', async () => {
    const planted = `${generateSecureRandomString()}.${generateSecureRandomString()}`;
    const victim = portalClient(portal.base);
    victim.setCookie(`portico_session=${planted}`);
    expect((await victim.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD })).status).toBe(200);
    expect(victim.cookie()).not.toBe(`portico_session=${planted}`);
    expect((await raw('GET', '/api/v1/me', { cookie: `portico_session=${planted}` })).status).toBe(401);
  });

  it("does not turn an attacker's own planted session into the victim's", async () => {
    const attacker = portalClient(portal.base);
    await signUpConfirmed(attacker.call, portal.dataDir, 'mallory@example.test', PASSWORD);
    const plantedSession = attacker.cookie();
    const victim = portalClient(portal.base);
    victim.setCookie(plantedSession);
    await victim.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    expect(victim.cookie()).not.toBe(plantedSession);
    expect((await victim.call('GET', '/api/v1/me')).body.account.email).toBe('ada@example.test');
    expect((await raw('GET', '/api/v1/me', { cookie: plantedSession })).body.account.email).toBe('mallory@example.test');
  });

  it('refuses a signed-out session when it is replayed', async () => {
    const c = portalClient(portal.base);
    await c.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const old = c.cookie();
    expect((await c.call('POST', '/api/v1/auth/signout')).status).toBe(204);
    expect((await raw('GET', '/api/v1/me', { cookie: old })).status).toBe(401);
  });

  it('refuses tampered and malformed session tokens with a 401, never a 500, and clears the cookie', async () => {
    const c = portalClient(portal.base);
    await c.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const token = c.cookie().slice('portico_session='.length);
    const [id, secret] = token.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
    const forged = [
      `${id}.${flip(secret, 0)}`,
      `${id}.${flip(secret, secret.length - 1)}`,
      `${flip(id, 3)}.${secret}`,
      `${id}.`,
      `${id}`,
      `.${secret}`,
      `${id}.${secret}.${secret}`,
      `${id}.${secret.toUpperCase()}`,
      `' OR '1'='1.${secret}`,
      `${id}.${'x'.repeat(4000)}`,
      `%00${id}.${secret}`,
      `${id}%00.${secret}`,
      `%ff%fe${id}.${secret}`,
      `${id}.${secret}%0d%0aSet-Cookie:%20x=1`,
      '..',
    ];
    const answers: string[] = [];
    for (const value of forged) {
      const res = await raw('GET', '/api/v1/me', { cookie: `portico_session=${value}` });
      answers.push(`${value.slice(0, 48)}: ${res.status} ${res.headers['content-type']}`);
    }
    expect(answers.filter((a) => !a.endsWith(': 401 application/problem+json'))).toEqual([]);
    const cleared = await raw('GET', '/api/v1/me', { cookie: `portico_session=${id}.${flip(secret, 5)}` });
    expect(String(cleared.headers['set-cookie'])).toMatch(/portico_session=[^;]*;.*Expires=Thu, 01 Jan 1970/);
    expect((await c.call('GET', '/api/v1/me')).status).toBe(200); // the real token still works
  });

  it('refuses an expired session and clears its cookie', async () => {
    const c = portalClient(portal.base);
    await c.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const cookie = c.cookie();
    const id = cookie.slice('portico_session='.length).split('.')[0]!;
    await database.db.update(sessions).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(sessions.id, id));
    const res = await raw('GET', '/api/v1/me', { cookie });
    expect(res.status).toBe(401);
    expect(String(res.headers['set-cookie'])).toMatch(/portico_session=[^;]*;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('guessing, throttled', () => {
  it('stops password guessing across many accounts from one address with 429 and Retry-After, whatever X-Forwarded-For says', async () => {
    const guesser = portalClient(portal.base, { localAddress: '127.0.0.31' });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await guesser.call('POST', '/api/v1/auth/signin', { email: `user${i}@example.test`, password: `guess ${i}` })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const limited = await guesser.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD }); // even the right password, now
    expect(limited.status).toBe(429);
    const seconds = Number(limited.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, detail: `Too many sign-in attempts. Try again in ${seconds} seconds.` });
    const spoofed = await guesser.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' });
    expect(spoofed.status).toBe(429);
    // Only that address is throttled: ada signs in from elsewhere.
    expect((await portalClient(portal.base, { localAddress: '127.0.0.32' }).call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD })).status).toBe(200);
  });

  it('stops key guessing through the try-it relay with 429 and Retry-After', async () => {
    const guesser = portalClient(portal.base, { localAddress: '127.0.0.41' });
    const target = encodeURIComponent(`http://127.0.0.1:${upstreamPort}/parcels`);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await guesser.call('GET', `/relay?url=${target}`, undefined, { 'x-api-key': `guess-${i}` })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await guesser.call('GET', `/relay?url=${target}`, undefined, { 'x-api-key': 'one more guess' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.detail).toMatch(/try again in \d+ seconds/);
  });
});

describe('script injection through application names', () => {
  const name = `<img src=x onerror=alert(1)><script>alert("xss")</script>" onmouseover="alert(3)`;

  it('keeps the name as data in the API', async () => {
    const res = await ada.call('POST', '/api/v1/applications', { name, description: `</textarea><svg onload=alert(4)>` });
    expect(res.status).toBe(201);
    const got = await ada.call('GET', `/api/v1/applications/${res.body.application.id}`);
    expect(got.body.application).toMatchObject({ name, description: `</textarea><svg onload=alert(4)>` });
    expect(got.headers['content-type']).toMatch(/^application\/json/);
  });

  it('renders it as text on the account pages: nothing in it runs or becomes markup', async () => {
    const apps = (await ada.call('GET', '/api/v1/applications')).body.applications as Array<{ id: string; name: string }>;
    const id = apps.find((a) => a.name === name)!.id;
    const browser = await launchBrowser();
    try {
      const token = ada.cookie().slice('portico_session='.length);
      await browser.context.addCookies([{ name: 'portico_session', value: token, url: portal.base, httpOnly: true, sameSite: 'Lax' }]);
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      for (const pathname of ['/account/', `/account/applications/${id}`]) {
        await page.goto(`${portal.base}${pathname}`);
        await page.locator('main').hover();
        await page.waitForTimeout(100);
        expect(await page.locator('main').innerText(), pathname).toContain(name);
        // No element, handler or script came out of the name or the description.
        expect(await page.locator('main img[src="x"], main svg[onload], main [onmouseover], main [onerror]').count(), pathname).toBe(0);
        const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
        expect(
          scripts.filter((t) => /alert\(/.test(t)),
          pathname,
        ).toEqual([]);
      }
      expect(dialogs).toEqual([]);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('server-side request forgery through the try-it relay', () => {
  const relayed = (target: string) => ada.call('GET', `/relay?url=${encodeURIComponent(target)}`);

  it('calls the declared, allowed server (the control case)', async () => {
    const res = await relayed(`http://127.0.0.1:${upstreamPort}/parcels/123`);
    expect(res.status).toBe(200);
    expect(upstreamSeen).toContain('/parcels/123');
  });

  it.each<[string, () => string]>([
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['the metadata address in IPv6-mapped form', () => 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
    ['another port on the declared host', () => `http://127.0.0.1:${bystanderPort}/secret`],
    ['that port with the host in octal', () => `http://0177.0.0.1:${bystanderPort}/secret`],
    ['the declared host as a user name in front of another host', () => `http://127.0.0.1:${upstreamPort}@169.254.169.254/`],
    ['a path outside the declared prefix', () => `http://127.0.0.1:${upstreamPort}/admin`],
    ['a path that climbs out of the prefix', () => `http://127.0.0.1:${upstreamPort}/parcels/../admin`],
    ['a path that only starts like the prefix', () => `http://127.0.0.1:${upstreamPort}/parcels-internal/x`],
  ])('refuses %s', async (_what, target) => {
    const before = upstreamSeen.length;
    const res = await relayed(target());
    expect(res.status, res.text).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(upstreamSeen.length).toBe(before);
    expect(bystanderSeen).toEqual([]);
  });

  it.each<[string, string, () => RegExp]>([
    ['to the cloud metadata address', '/parcels/to-metadata', () => /169\.254\.169\.254/],
    ['to an undeclared local service', '/parcels/to-bystander', () => /127\.0\.0\.1/],
    ['outside the declared prefix on the same server', '/parcels/to-outside-prefix', () => /127\.0\.0\.1/],
  ])('refuses a redirect %s, naming where it led', async (_what, pathname, named) => {
    const res = await relayed(`http://127.0.0.1:${upstreamPort}${pathname}`);
    expect(res.status, res.text).toBe(502);
    expect(res.body.detail).toMatch(/redirected/);
    expect(res.body.detail).toMatch(named());
    expect(bystanderSeen).toEqual([]);
    expect(upstreamSeen).not.toContain('/admin');
  });
});

describe('oversized request bodies', () => {
  const big = JSON.stringify({ email: 'ada@example.test', password: 'x'.repeat(2 * 1024 * 1024) });

  it.each<[string, () => string, boolean]>([
    ['the sign-in (no session needed)', () => '/api/v1/auth/signin', false],
    ['the sign-up', () => '/api/v1/auth/signup', false],
    ['creating an application', () => '/api/v1/applications', true],
    ['the try-it relay', () => `/relay?url=${encodeURIComponent(`http://127.0.0.1:${upstreamPort}/parcels`)}`, true],
  ])('refuses a 2 MB body to %s with a 413 problem', async (_what, route, signedIn) => {
    // A connection kept alive, as a browser's: the portal may answer before the upload ends, and
    // then reads the rest away. A client that asked to close after the answer instead has Node
    // close a socket that is still receiving, and may lose the answer to a reset (EPIPE) under load.
    const client = portalClient(portal.base, { keepAlive: true });
    if (signedIn) client.setCookie(ada.cookie());
    const res = await client.call('POST', route(), big);
    expect(res.status, res.text.slice(0, 300)).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/larger than/);
    client.close();
  });

  /**
   * Sends a JSON body that never ends (chunked) or that announces far more than it sends, and says
   * how the portal answered within `seconds`: a server that reads everything before checking the
   * size can be made to hold (and buffer) up to Astro's 1 GiB per request.
   */
  function endlessBody(route: string, headers: Record<string, string>, seconds: number): Promise<{ status: number; detail?: string } | 'no answer'> {
    return new Promise((resolve) => {
      const req = request(`${portal.base}${route}`, { method: 'POST', headers: { origin: portal.base, 'content-type': 'application/json', ...headers } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          clearTimeout(timer);
          req.destroy();
          let detail: string | undefined;
          try {
            detail = JSON.parse(text).detail;
          } catch {
            detail = text.slice(0, 200);
          }
          resolve({ status: res.statusCode ?? 0, detail });
        });
      });
      req.on('error', () => undefined);
      const timer = setTimeout(() => {
        req.destroy();
        resolve('no answer');
      }, seconds * 1000);
      req.write('{"email":"ada@example.test","password":"');
      const chunk = 'y'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        if (req.destroyed || sent > 512 * 1024) return;
        sent += chunk.length;
        req.write(chunk, () => setTimeout(pump, 10));
      };
      pump();
    });
  }

  it('stops reading a body that never ends once it passes the limit', async () => {
    expect(await endlessBody('/api/v1/auth/signin', { 'transfer-encoding': 'chunked' }, 5)).toMatchObject({ status: 413 });
  });

  it('refuses at once a body whose Content-Length is over the limit', async () => {
    expect(await endlessBody('/api/v1/auth/signin', { 'content-length': String(500 * 1024 * 1024) }, 5)).toMatchObject({ status: 413 });
  });
});
