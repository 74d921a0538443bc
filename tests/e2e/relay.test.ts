import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/lib/errors.ts';
import { RELAY_COOKIE_HEADER } from '../../src/lib/relay/path.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { checkDeclared, declaredServers, DEFAULT_LIMITS, expandServer, isNonPublicAddress, relay, type RelayPolicy } from '../../src/lib/relay/relay.ts';

// A real upstream on loopback, standing for an API's server.
let upstream: Server;
let port: number;
const seen: Array<{ url: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body });
      if (req.url === '/api/slow') return void setTimeout(() => res.end('late'), 3000);
      if (req.url === '/api/away') return void res.writeHead(302, { location: 'http://example.org/elsewhere' }).end();
      if (req.url === '/api/moved') return void res.writeHead(301, { location: '/api/pets' }).end();
      if (req.url === '/api/huge') return void res.end('x'.repeat(2 * 1024 * 1024));
      if (req.url === '/api/limited') return void res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' }).end('{"status":429,"detail":"Over the limit."}');
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'tracker=1', 'x-upstream': 'yes' }).end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => upstream.close(resolve)));

const policy = (over: Partial<RelayPolicy> = {}): RelayPolicy => ({
  ...DEFAULT_LIMITS,
  servers: [`http://127.0.0.1:${port}/api`, `http://localhost:${port}/api`, 'https://api.kestrel.example/shipments'],
  // What the specs would declare: the API key header the tests send.
  requestHeaders: new Map([`http://127.0.0.1:${port}/api`, `http://localhost:${port}/api`].map((s) => [s, new Set(['x-api-key'])])),
  allowPrivate: new Set([`127.0.0.1:${port}`]),
  ...over,
});

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProblemError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('the try-it relay', () => {
  it('forwards a request to a declared server, without the portal cookie, and drops Set-Cookie', async () => {
    const res = await relay(
      {
        method: 'POST',
        target: `http://127.0.0.1:${port}/api/pets?limit=2`,
        headers: new Headers({ 'x-api-key': 'k', cookie: 'portico_session=secret', 'content-type': 'application/json' }),
        body: new TextEncoder().encode('{"name":"rex"}'),
      },
      policy(),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true, path: '/api/pets?limit=2' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['x-upstream']).toBe('yes');
    const last = seen.at(-1)!;
    expect(last.headers.cookie).toBeUndefined();
    expect(last.headers['x-api-key']).toBe('k');
    expect(last.body).toBe('{"name":"rex"}');
  });

  it('refuses a host no spec declares', async () => {
    expect(await refusal(relay({ method: 'GET', target: 'https://evil.example/steal', headers: new Headers() }, policy()))).toEqual({
      status: 403,
      message: 'evil.example is not a server any API of this portal declares, so the portal will not call it (https://evil.example/steal).',
    });
    // Same host, a path outside the declared server's prefix.
    expect((await refusal(relay({ method: 'GET', target: `http://127.0.0.1:${port}/admin`, headers: new Headers() }, policy()))).status).toBe(403);
  });

  it('refuses schemes other than http and https, and credentials in the URL', () => {
    expect(() => checkDeclared('file:///etc/passwd', policy())).toThrow('Only http and https can be tried from the portal, not file.');
    expect(() => checkDeclared(`http://u:p@127.0.0.1:${port}/api/x`, policy())).toThrow('The target URL may not carry a user name or password.');
  });

  it('refuses a declared server on a private address that no admin allowed', async () => {
    const r = await refusal(relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/pets`, headers: new Headers() }, policy({ allowPrivate: new Set() })));
    expect(r).toEqual({ status: 403, message: `127.0.0.1 resolves to 127.0.0.1, a private or loopback address; the portal does not call those unless an admin allows 127.0.0.1:${port}.` });
  });

  it('refuses a declared host name that resolves to loopback (DNS rebinding) unless allowed', async () => {
    const r = await refusal(relay({ method: 'GET', target: `http://localhost:${port}/api/pets`, headers: new Headers() }, policy()));
    expect(r.status).toBe(403);
    expect(r.message).toMatch(new RegExp(`^localhost resolves to (127\\.0\\.0\\.1|::1), a private or loopback address`));
  });

  it('follows a redirect only to a declared server, and refuses one to another host', async () => {
    const moved = await relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/moved`, headers: new Headers() }, policy());
    expect(moved.url).toBe(`http://127.0.0.1:${port}/api/pets`);
    expect(await refusal(relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/away`, headers: new Headers() }, policy()))).toEqual({
      status: 502,
      message: 'The server redirected to example.org, which no API of this portal declares; the portal does not follow it.',
    });
  });

  it('refuses an oversized request body and an oversized answer', async () => {
    const big = new Uint8Array(DEFAULT_LIMITS.maxRequestBytes + 1);
    expect(await refusal(relay({ method: 'POST', target: `http://127.0.0.1:${port}/api/pets`, headers: new Headers(), body: big }, policy()))).toEqual({
      status: 413,
      message: 'The request body is larger than the 1024 KiB the portal relays.',
    });
    expect(await refusal(relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/huge`, headers: new Headers() }, policy({ maxResponseBytes: 1024 * 1024 })))).toEqual({
      status: 502,
      message: 'The answer is larger than the 1 MiB the portal relays.',
    });
  });

  it('gives up on a server that does not answer in time, saying so', async () => {
    expect(await refusal(relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/slow`, headers: new Headers() }, policy({ timeoutMs: 500 })))).toEqual({
      status: 504,
      message: `127.0.0.1:${port} did not answer within 0.5 seconds.`,
    });
  });

  it("sends the cookies a console means for the API as Cookie, and never the portal's own", async () => {
    await relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/pets`, headers: new Headers({ cookie: 'portico_session=secret', [RELAY_COOKIE_HEADER]: 'kestrel_locale=en' }) }, policy());
    const last = seen.at(-1)!;
    expect(last.headers.cookie).toBe('kestrel_locale=en');
    expect(last.headers[RELAY_COOKIE_HEADER]).toBeUndefined();
  });

  it("passes a gateway's refusal through as it is: status, problem body and Retry-After", async () => {
    const res = await relay({ method: 'GET', target: `http://127.0.0.1:${port}/api/limited`, headers: new Headers() }, policy());
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body.toString())).toEqual({ status: 429, detail: 'Over the limit.' });
  });

  it("offers each server variable's default and enum values, and no URL with a variable left", () => {
    expect(expandServer({ url: 'https://{region}.api.example/{version}', variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v2' } } })).toEqual([
      'https://eu.api.example/v2',
      'https://us.api.example/v2',
    ]);
    expect(expandServer({ url: 'https://{tenant}.api.example' })).toEqual([]);
  });

  it('leaves out a server URL that does not parse, and still matches the others (issue 14)', () => {
    const broken = { url: 'http://{host}/api', variables: { host: { default: '">x' } } };
    expect(expandServer(broken)).toEqual([]);
    expect(expandServer({ url: '/relative/{v}', variables: { v: { default: 'v1' } } })).toEqual(['/relative/v1']);
    const catalog = { apis: [{ versions: [{ servers: [broken, { url: 'https://api.kestrel.example/v2' }], operations: [] }] }] } as unknown as Catalog;
    expect(declaredServers(catalog)).toEqual(['https://api.kestrel.example/v2']);
    expect(checkDeclared('https://api.kestrel.example/v2/parcels', { servers: declaredServers(catalog) }).href).toBe('https://api.kestrel.example/v2/parcels');
    expect(() => checkDeclared('https://evil.example/', { servers: ['http://">x/api', ...declaredServers(catalog)] })).toThrow('evil.example is not a server any API of this portal declares');
  });

  it('counts the servers of single operations among those the specs declare', () => {
    // Only the fields the relay reads: a version's servers and its operations' servers.
    const catalog = {
      apis: [{ versions: [{ servers: [{ url: 'https://api.kestrel.example/v2/' }], operations: [{ servers: [{ url: 'https://uploads.kestrel.example' }] }, {}] }] }],
    } as unknown as Catalog;
    expect(declaredServers(catalog)).toEqual(['https://api.kestrel.example/v2', 'https://uploads.kestrel.example']);
  });

  it('knows which addresses are not public', () => {
    for (const a of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '172.16.0.1', '192.168.1.1', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'])
      expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isNonPublicAddress(a), a).toBe(false);
  });
});
