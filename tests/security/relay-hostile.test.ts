import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { portalClient, type Answer, type PortalClient } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * A hostile server that a spec declares (issue 14). The relay answers on the portal's own origin,
 * so what that server sends must stay data: no page, no script, no worker, no cookie, no
 * instruction to the browser. Its addresses are checked where the relay connects, IPv4-mapped and
 * special-purpose ranges included; only what the Try it console set for the API is sent on; and one
 * server URL that does not parse costs nothing but itself.
 * Only loopback is ever contacted: the other declared addresses are refused before connecting,
 * which the refusal's words show.
 */

const PASSWORD = 'a long enough password';
const work = mkdtempSync(path.join(tmpdir(), 'portico-relay-hostile-'));

interface Seen {
  host: string;
  url: string;
  headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
let upstream: Server;
let up = 0;
let portal: RunningPortal;
let ada: PortalClient;

const HOSTILE_HEADERS = {
  'set-cookie': 'portico_session=planted; Path=/; HttpOnly',
  'clear-site-data': '"cookies", "storage"',
  'access-control-allow-origin': '*',
  'access-control-allow-credentials': 'true',
  'content-security-policy': "script-src 'unsafe-inline' *",
  'service-worker-allowed': '/',
  refresh: '0; url=https://evil.example/',
  link: '<https://evil.example/x.css>; rel=stylesheet',
  'www-authenticate': 'Basic realm="Portico sign-in"',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'alt-svc': 'h2=":8443"',
  'x-frame-options': 'ALLOWALL',
  // The API's own: these do pass.
  etag: '"v1"',
  'cache-control': 'no-cache',
  'x-ratelimit-remaining': '9',
  'ratelimit-policy': '10;w=60',
  'x-request-trace': 'trace-1',
};

/** A script that, if it ever ran on the portal's origin, would leave marks the test can see. */
const MARK = `localStorage.setItem('relay-ran', document.cookie || 'ran'); try { parent.relayRan = document.cookie || 'ran'; } catch {}`;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ host: req.headers.host ?? '', url: req.url!, headers: req.headers });
    const routes: Record<string, () => void> = {
      '/api/page.html': () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...HOSTILE_HEADERS }).end(`<!doctype html><title>hostile</title><script>${MARK}</script>`),
      '/api/page.xhtml': () => res.writeHead(200, { 'content-type': 'application/xhtml+xml' }).end(`<html xmlns="http://www.w3.org/1999/xhtml"><body><script>${MARK}</script></body></html>`),
      '/api/image.svg': () => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(`<svg xmlns="http://www.w3.org/2000/svg"><script>${MARK}</script></svg>`),
      '/api/data.xml': () => res.writeHead(200, { 'content-type': 'text/xml' }).end('<parcels/>'),
      '/api/report.pdf': () => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4\n'),
      // No Content-Type at all: a browser would sniff this as HTML.
      '/api/untyped': () => res.writeHead(200).end(`<html><body><script>${MARK}</script></body></html>`),
      '/api/data.json': () => res.writeHead(200, { 'content-type': 'application/json', ...HOSTILE_HEADERS }).end('{"parcels":[]}'),
      '/api/problem': () => res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404,"detail":"No such parcel."}'),
      '/api/notes.txt': () => res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words'),
      '/api/sw.js': () => res.writeHead(200, { 'content-type': 'text/javascript', 'service-worker-allowed': '/' }).end("self.addEventListener('fetch', (e) => e.respondWith(new Response('owned')));"),
      '/api/echo': () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)),
      '/api/to-mapped': () => res.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${up}/api/data.json` }).end(),
    };
    const route = routes[req.url!];
    if (route) return void route();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  up = (upstream.address() as AddressInfo).port;

  const content = path.join(work, 'content');
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
  const portalFile = path.join(content, 'catalog.yaml');
  writeFileSync(portalFile, readFileSync(portalFile, 'utf8').replace('logoUrl: https://developer.example.test/logo.svg', 'logoUrl: /logo.svg'));
  // The API declares the hostile server, the same host by other names, special-purpose addresses,
  // and one server whose variable default makes a URL that does not parse.
  writeFileSync(
    path.join(content, 'apis/parcels/openapi.yaml'),
    `openapi: 3.1.0
info: { title: Parcels API, version: 1.3.0 }
servers:
  - url: http://127.0.0.1:${up}/api
  - url: http://localhost:${up}/api
  - url: http://[::ffff:127.0.0.1]:${up}/api
  - url: http://[::ffff:a9fe:a9fe]/api
  - url: http://[64:ff9b::7f00:1]:${up}/api
  - url: http://[fec0::1]/api
  - url: http://198.18.0.1/api
  - url: http://{host}/api
    variables:
      host:
        default: '">x'
security:
  - apiKey: []
  - bearer: []
paths:
  /echo:
    get:
      operationId: echo
      summary: Echo the request headers
      parameters:
        - name: X-Trace-Id
          in: header
          schema: { type: string }
      responses:
        '200': { description: The headers the API saw. }
components:
  securitySchemes:
    apiKey: { type: apiKey, in: header, name: X-API-Key }
    bearer: { type: http, scheme: bearer }
`,
  );
  portal = await startPortal({ PORTICO_CONTENT_DIR: content, PORTICO_RELAY_ALLOW: `127.0.0.1:${up}` });
  ada = portalClient(portal.base, { localAddress: '127.0.0.61' });
  await signUpConfirmed(ada.call, portal.dataDir, 'ada@example.test', PASSWORD);
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const relayPath = (target: string) => `/relay?url=${encodeURIComponent(target)}`;
const api = (file: string) => `http://127.0.0.1:${up}/api/${file}`;
/** Each group of calls from its own address, so no group meets the relay's per-address limit. */
const from = (n: number) => portalClient(portal.base, { localAddress: `127.0.0.${70 + n}` });

function expectInert(res: Answer): void {
  expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
}

describe('relay answers are data, never documents or workers', () => {
  it.each([
    ['HTML', 'page.html'],
    ['XHTML', 'page.xhtml'],
    ['SVG', 'image.svg'],
    ['XML', 'data.xml'],
    ['PDF', 'report.pdf'],
    ['an untyped body', 'untyped'],
  ])('offers %s as a download under a sandboxing policy, never sniffed', async (_what, file) => {
    const res = await from(1).call('GET', relayPath(api(file)));
    expect(res.status).toBe(200);
    expectInert(res);
    expect(res.headers['content-disposition']).toBe('attachment');
    expect(res.headers['x-portico-relay']).toBe(api(file));
  });

  it.each([
    ['JSON', 'data.json', 200],
    ['problem+json', 'problem', 404],
    ['plain text', 'notes.txt', 200],
  ])('shows %s inline, still sandboxed and unsniffed', async (_what, file, status) => {
    const res = await from(2).call('GET', relayPath(api(file)));
    expect(res.status).toBe(status);
    expectInert(res);
    expect(res.headers['content-disposition']).toBeUndefined();
  });

  it('passes on only the headers that describe the data, never cookies, CORS, CSP or browser instructions', async () => {
    for (const file of ['page.html', 'data.json']) {
      const client = from(3);
      const res = await client.call('GET', relayPath(api(file)));
      expect(res.status, file).toBe(200);
      for (const name of [
        'set-cookie',
        'clear-site-data',
        'access-control-allow-origin',
        'access-control-allow-credentials',
        'service-worker-allowed',
        'refresh',
        'link',
        'www-authenticate',
        'strict-transport-security',
        'alt-svc',
      ]) {
        expect(res.headers[name], `${file}: ${name}`).toBeUndefined();
      }
      // The portal's own X-Frame-Options may be there; the server's never is.
      expect(res.headers['x-frame-options'], file).not.toBe('ALLOWALL');
      expect(res.headers['content-security-policy'], file).toBe("sandbox; default-src 'none'");
      expect(client.cookie(), file).toBe('');
      expect(res.headers, file).toMatchObject({ etag: '"v1"', 'cache-control': 'no-cache', 'x-ratelimit-remaining': '9', 'ratelimit-policy': '10;w=60', 'x-request-trace': 'trace-1' });
    }
  });

  it('refuses a service worker script request with a 403 that says why, before calling the server', async () => {
    const before = seen.filter((s) => s.url === '/api/sw.js').length;
    const res = await from(4).call('GET', relayPath(api('sw.js')), undefined, { 'service-worker': 'script', 'sec-fetch-dest': 'serviceworker' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 403, code: 'relay-worker-refused' });
    expect(res.body.detail).toMatch(/does not serve service worker scripts/);
    expectInert(res);
    expect(seen.filter((s) => s.url === '/api/sw.js').length).toBe(before);
  });

  it('in Chromium: a service worker cannot be registered through the relay, and hostile pages run no script on the portal', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${portal.base}/`);
      await page.evaluate(() => {
        document.cookie = 'probe=visible; path=/';
        localStorage.removeItem('relay-ran');
      });

      const swPath = relayPath(api('sw.js'));
      const outcome = await page.evaluate(async (url) => {
        try {
          const registration = await navigator.serviceWorker.register(url);
          return `registered, scope ${registration.scope}`;
        } catch (err) {
          return `refused: ${(err as Error).message}`;
        }
      }, swPath);
      expect(outcome).toMatch(/^refused: .*\(403\)/);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
      expect(seen.some((s) => s.url === '/api/sw.js')).toBe(false);

      // Opened as a page, each hostile answer becomes a download: no document, so nothing runs.
      for (const file of ['page.html', 'image.svg', 'untyped']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.goto(`${portal.base}${relayPath(api(file))}`).catch(() => undefined)]);
        expect(download.url(), file).toBe(`${portal.base}${relayPath(api(file))}`);
        await download.cancel();
      }
      // In a frame of a portal page, likewise: nothing reaches the page's globals.
      const [framed] = await Promise.all([
        page.waitForEvent('download'),
        page.evaluate(
          (src) => {
            const frame = document.createElement('iframe');
            frame.src = src;
            document.body.append(frame);
          },
          relayPath(api('page.html')),
        ),
      ]);
      await framed.cancel();
      expect(await page.evaluate(() => (window as unknown as { relayRan?: string }).relayRan)).toBeUndefined();
      await page.goto(`${portal.base}/`);
      expect(await page.evaluate(() => localStorage.getItem('relay-ran'))).toBeNull();
      expect(await page.evaluate(() => document.cookie)).toContain('probe=visible');

      // The one console error expected: Chromium reports the refused worker script's 403.
      const unexpected = browser.errors.filter((e) => e !== `console error on ${portal.base}/: A bad HTTP response code (403) was received when fetching the script.`);
      expect(unexpected).toEqual([]);
      browser.errors.length = 0;
    } finally {
      await browser.close();
    }
  });
});

describe('the relay checks the address it connects to', () => {
  it('calls the allowed loopback server by the name the admin allowed (the control case)', async () => {
    const res = await from(5).call('GET', relayPath(api('data.json')));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ parcels: [] });
  });

  it.each<[string, () => string, RegExp]>([
    [
      'an IPv4-mapped IPv6 loopback address',
      () => `http://[::ffff:127.0.0.1]:${up}/api/data.json`,
      /^\[::ffff:7f00:1\] resolves to ::ffff:7f00:1, the IPv4-mapped form of 127\.0\.0\.1, a private or loopback address; .*allows \[::ffff:7f00:1\]:\d+\.$/,
    ],
    [
      'the metadata address, IPv4-mapped',
      () => 'http://[::ffff:a9fe:a9fe]/api/data.json',
      /^\[::ffff:a9fe:a9fe\] resolves to ::ffff:a9fe:a9fe, the IPv4-mapped form of 169\.254\.169\.254, a link-local address/,
    ],
    ['a NAT64 address', () => `http://[64:ff9b::7f00:1]:${up}/api/data.json`, /^\[64:ff9b::7f00:1\] resolves to 64:ff9b::7f00:1, a NAT64 address/],
    ['a site-local IPv6 address', () => 'http://[fec0::1]/api/data.json', /^\[fec0::1\] resolves to fec0::1, a site-local address/],
    ['a benchmarking address (198.18.0.0/15)', () => 'http://198.18.0.1/api/data.json', /^198\.18\.0\.1 resolves to 198\.18\.0\.1, a reserved, benchmarking or documentation address/],
    [
      'a name that resolves to loopback',
      () => `http://localhost:${up}/api/data.json`,
      /^localhost resolves to (127\.0\.0\.1|::1), a private or loopback address; the portal does not call those unless an admin allows localhost:\d+\.$/,
    ],
  ])('refuses %s before connecting, saying what it is', async (_what, target, words) => {
    const before = seen.length;
    const res = await from(6).call('GET', relayPath(target()));
    expect(res.status, res.text).toBe(403);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.code).toBe('relay-private-address');
    expect(res.body.detail).toMatch(words);
    expectInert(res);
    expect(seen.length).toBe(before);
  });

  it('refuses a redirect from the allowed server to its IPv4-mapped address', async () => {
    const before = seen.length;
    const res = await from(7).call('GET', relayPath(api('to-mapped')));
    expect(res.status, res.text).toBe(502);
    expect(res.body.code).toBe('relay-redirect-refused');
    expect(res.body.detail).toBe(
      `The server redirected to [::ffff:7f00:1]:${up}, which resolves to ::ffff:7f00:1, the IPv4-mapped form of 127.0.0.1, a private or loopback address; the portal does not follow it unless an admin allows [::ffff:7f00:1]:${up}.`,
    );
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/api/to-mapped']);
  });
});

describe('what the relay sends on', () => {
  it("never sends a script's personal access token, the portal's cookie or a proxy's headers: only what the console set for the API", async () => {
    const created = await ada.call('POST', '/api/v1/me/tokens', { name: 'ci script' });
    expect(created.status, created.text).toBe(201);
    const script = portalClient(portal.base, { origin: null, localAddress: '127.0.0.81' });
    const res = await script.call('GET', relayPath(api('echo')), undefined, {
      authorization: `Bearer ${created.body.token}`,
      'x-forwarded-for': '203.0.113.7',
      'x-real-ip': '203.0.113.7',
      forwarded: 'for=203.0.113.7',
      'x-api-key': 'the-key',
      'x-trace-id': 'trace-9',
      'x-undeclared': 'not in the spec',
      'accept-language': 'fr',
      accept: 'application/json',
    });
    expect(res.status, res.text).toBe(200);
    const sent = res.body as Record<string, string>;
    expect(sent['x-api-key']).toBe('the-key');
    expect(sent['x-trace-id']).toBe('trace-9');
    expect(sent.accept).toBe('application/json');
    for (const name of ['authorization', 'x-forwarded-for', 'x-real-ip', 'forwarded', 'x-undeclared', 'accept-language', 'cookie', 'origin', 'referer']) expect(sent[name], name).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain(created.body.token);
  });

  it("sends a bearer token the console set for the API, and the API's cookies from the relay's cookie header, never the portal session", async () => {
    const res = await ada.call('GET', relayPath(api('echo')), undefined, { authorization: 'Bearer token-for-the-api', 'x-scalar-cookie': 'api_locale=en' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.authorization).toBe('Bearer token-for-the-api');
    expect(res.body.cookie).toBe('api_locale=en');
    expect(ada.cookie()).toMatch(/^portico_session=/);
  });

  it("sends a signed-out visitor's bearer token for the API on, instead of taking it for a portal token", async () => {
    const visitor = from(9);
    const res = await visitor.call('GET', relayPath(api('echo')), undefined, { authorization: 'Bearer token-for-the-api' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.authorization).toBe('Bearer token-for-the-api');
  });

  it('keeps working when one declared server URL does not parse, and logs nothing about it', async () => {
    const client = from(8);
    expect((await client.call('GET', relayPath(api('data.json')))).status).toBe(200);
    const other = await client.call('GET', relayPath('https://evil.example/steal'));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('relay-host-not-declared');
    expect(portal.output()).not.toMatch(/unexpected error|Invalid URL/);
  });
});
