import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';

const SPEC = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'Remote', version: '4.2.0' },
  paths: { '/ping': { get: { operationId: 'ping', summary: 'Ping', responses: { '200': { description: 'pong' } } } } },
});

let server: Server;
let base: string;
let requests = 0;
const temps: string[] = [];

beforeAll(async () => {
  // These servers stand for public spec hosts; loopback is refused unless allowed (tests/security/spec-url-ssrf.test.ts).
  process.env.PORTICO_SPEC_URL_ALLOW = '127.0.0.1';
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/openapi.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(SPEC);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  temps.forEach((t) => rmSync(t, { recursive: true, force: true }));
});

function contentWithUrl(url: string): { root: string; cacheDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-url-'));
  temps.push(dir);
  const root = path.join(dir, 'content');
  const cacheDir = path.join(dir, 'cache');
  mkdirSync(root);
  writeFileSync(path.join(root, 'api.yaml'), `apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: remote\nspec:\n  openApiSpec:\n    url: ${url}\n`);
  return { root, cacheDir };
}

describe('openApiSpec.url', () => {
  it('is fetched at build time and kept for offline builds', async () => {
    const { root, cacheDir } = contentWithUrl(`${base}/openapi.json`);
    const online = await loadCatalog(root, { cacheDir });
    expect(online.diagnostics).toEqual([]);
    expect(online.apis[0]!.versions[0]).toMatchObject({ release: '4.2.0', origin: { kind: 'url', url: `${base}/openapi.json`, fromCache: false } });
    // Named for the build info: a site built from a URL is built again at the next start (decision record 21).
    expect(online.specUrls).toEqual([`${base}/openapi.json`]);
    const before = requests;
    const offline = await loadCatalog(root, { cacheDir, offline: true });
    expect(requests).toBe(before);
    expect(offline.apis[0]!.versions[0]!.origin).toMatchObject({ kind: 'url', fromCache: true });
    expect(offline.apis[0]!.versions[0]!.operations.map((o) => o.operationId)).toEqual(['ping']);
  });

  it('says what failed when the server answers an error, pointing at the url field', async () => {
    const { root, cacheDir } = contentWithUrl(`${base}/missing.json`);
    const catalog = await loadCatalog(root, { cacheDir });
    expect(catalog.diagnostics).toMatchObject([{ severity: 'error', rule: 'openapi', file: 'api.yaml', line: 7, message: `cannot fetch ${base}/missing.json: the server answered 404 Not Found` }]);
    // A URL that did not answer is named too: the next start tries it again.
    expect(catalog.specUrls).toEqual([`${base}/missing.json`]);
  });

  it('in offline mode without a kept copy, says how to get one', async () => {
    const { root, cacheDir } = contentWithUrl(`${base}/openapi.json`);
    const catalog = await loadCatalog(root, { cacheDir, offline: true });
    expect(catalog.diagnostics).toMatchObject([{ severity: 'error', message: `offline mode: no kept copy of ${base}/openapi.json`, hint: expect.stringContaining('PORTICO_OFFLINE') }]);
  });

  it('falls back to the kept copy, with a warning, when the server is down', async () => {
    const flaky = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(SPEC));
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/openapi.json`;
    const { root, cacheDir } = contentWithUrl(url);
    await loadCatalog(root, { cacheDir });
    await new Promise((resolve) => flaky.close(resolve));
    const catalog = await loadCatalog(root, { cacheDir });
    expect(catalog.diagnostics).toMatchObject([
      { severity: 'warning', rule: 'openapi', line: 7, message: expect.stringMatching(new RegExp(`^cannot fetch ${url} \\(the connection was refused\\); using the copy fetched \\d{4}-`)) },
    ]);
    expect(catalog.apis[0]!.versions[0]!.operations.map((o) => o.operationId)).toEqual(['ping']);
  });

  it('without a kept copy, a server that is down is an error that says so', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/openapi.json`;
    await new Promise((resolve) => down.close(resolve));
    const { root, cacheDir } = contentWithUrl(url);
    const catalog = await loadCatalog(root, { cacheDir });
    expect(catalog.diagnostics).toMatchObject([{ severity: 'error', message: `cannot fetch ${url}: the connection was refused` }]);
    expect(catalog.apis[0]!.versions[0]!.operations).toEqual([]);
  });
});
