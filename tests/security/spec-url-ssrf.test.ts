import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Diagnostic } from '../../src/lib/catalog/diagnostics.ts';
import { projectRoot } from '../support/portal.ts';

/*
 * Build-time server-side request forgery through `openApiSpec.url` (issue 14): whoever edits the
 * content repository chooses the URL, and the build fetches it from CI or the portal's own pod.
 * Private, loopback and reserved addresses are refused before any connection, unless
 * PORTICO_SPEC_URL_ALLOW names them, and an answer is read only up to PORTICO_SPEC_URL_MAX_BYTES.
 * Only loopback is ever contacted: the other addresses are refused before connecting, which the
 * refusal's words show.
 */

const SPEC = 'openapi: 3.0.3\ninfo: { title: Internal, version: 1.0.0 }\npaths:\n  /ping:\n    get: { operationId: ping, responses: { "200": { description: pong } } }\n';

let server: Server;
let port = 0;
const seen: string[] = [];
const work = mkdtempSync(path.join(tmpdir(), 'portico-spec-ssrf-'));
const savedEnv = { allow: process.env.PORTICO_SPEC_URL_ALLOW, max: process.env.PORTICO_SPEC_URL_MAX_BYTES };

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === '/openapi.yaml') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(SPEC);
    if (req.url === '/to-mapped') return void res.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${port}/openapi.yaml` }).end();
    if (req.url === '/huge.yaml') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end(`# ${'x'.repeat(64 * 1024)}\n${SPEC}`);
    // 8 MiB of spaces, a few KiB on the wire: the cap counts what it unpacks to.
    if (req.url === '/bomb.yaml') return void res.writeHead(200, { 'content-type': 'application/yaml', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(8 * 1024 * 1024, ' ')));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  for (const [name, value] of [
    ['PORTICO_SPEC_URL_ALLOW', savedEnv.allow],
    ['PORTICO_SPEC_URL_MAX_BYTES', savedEnv.max],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** A content folder whose one API takes its spec from `url`; the url field is on line 7 of api.yaml. */
function contentWithUrl(url: string): string {
  const root = mkdtempSync(path.join(work, 'content-'));
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'api.yaml'), `apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: internal\nspec:\n  openApiSpec:\n    url: ${url}\n`);
  return root;
}

/** `portico catalog <root> --json`, as a platform team runs it in CI. */
function portico(root: string, env: Record<string, string> = {}): Promise<{ code: number; summary: { diagnostics: Diagnostic[]; apis: Array<{ key: string }> }; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(projectRoot, 'bin/portico.mjs'), 'catalog', root, '--json', '--no-cache'],
      { cwd: projectRoot, env: { ...process.env, PORTICO_DATA_DIR: path.join(work, 'data'), NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? -1) : 0;
        try {
          resolve({ code: typeof code === 'number' ? code : -1, summary: JSON.parse(stdout), stderr });
        } catch {
          reject(new Error(`portico catalog printed no JSON (exit ${String(code)}):\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const ALLOW_HINT = 'set PORTICO_SPEC_URL_ALLOW=';

describe('openApiSpec.url at build time', () => {
  it('refuses a loopback spec server: no request reaches it, and the diagnostic on the API says why and how to allow it', async () => {
    const url = `http://127.0.0.1:${port}/openapi.yaml`;
    const before = seen.length;
    const { code, summary, stderr } = await portico(contentWithUrl(url));
    expect(seen.length).toBe(before);
    expect(code).toBe(1);
    expect(summary.diagnostics).toMatchObject([
      {
        severity: 'error',
        rule: 'openapi',
        file: 'api.yaml',
        line: 7,
        message: `cannot fetch ${url}: 127.0.0.1 resolves to 127.0.0.1, a private or loopback address; Portico fetches specs only from public addresses, so it did not connect. If this server is meant to be trusted, ${ALLOW_HINT}127.0.0.1:${port}`,
      },
    ]);
    expect(stderr).not.toMatch(/\bat .+\.ts:\d+/); // no stack trace
  });

  it('fetches it when PORTICO_SPEC_URL_ALLOW names that host and port', async () => {
    const url = `http://127.0.0.1:${port}/openapi.yaml`;
    const before = seen.length;
    const { code, summary } = await portico(contentWithUrl(url), { PORTICO_SPEC_URL_ALLOW: `127.0.0.1:${port}` });
    expect(summary.diagnostics).toEqual([]);
    expect(code).toBe(0);
    expect(summary.apis.map((a) => a.key)).toEqual(['default/internal']);
    expect(seen.slice(before)).toEqual(['/openapi.yaml']);
  });

  it.each<[string, () => string, RegExp]>([
    [
      'an IPv4-mapped IPv6 loopback address',
      () => `http://[::ffff:127.0.0.1]:${port}/openapi.yaml`,
      /\[::ffff:7f00:1\] resolves to ::ffff:7f00:1, the IPv4-mapped form of 127\.0\.0\.1, a private or loopback address/,
    ],
    ['the metadata address, IPv4-mapped', () => 'http://[::ffff:a9fe:a9fe]/latest/meta-data/', /resolves to ::ffff:a9fe:a9fe, the IPv4-mapped form of 169\.254\.169\.254, a link-local address/],
    ['a NAT64 address', () => `http://[64:ff9b::7f00:1]:${port}/openapi.yaml`, /resolves to 64:ff9b::7f00:1, a NAT64 address/],
    ['a site-local IPv6 address', () => 'http://[fec0::1]/openapi.yaml', /resolves to fec0::1, a site-local address/],
    ['a benchmarking address (198.18.0.0/15)', () => 'http://198.18.0.1/openapi.yaml', /198\.18\.0\.1 resolves to 198\.18\.0\.1, a reserved, benchmarking or documentation address/],
    ['a name that resolves to loopback', () => `http://localhost:${port}/openapi.yaml`, /^localhost resolves to (127\.0\.0\.1|::1), a private or loopback address/],
  ])('refuses %s before connecting', async (_what, url, words) => {
    const before = seen.length;
    const catalog = await loadCatalog(contentWithUrl(url()), {});
    expect(seen.length).toBe(before);
    expect(catalog.diagnostics).toHaveLength(1);
    const [d] = catalog.diagnostics;
    expect(d).toMatchObject({ severity: 'error', rule: 'openapi', file: 'api.yaml', line: 7 });
    const reason = d!.message.slice(`cannot fetch ${url()}: `.length);
    expect(d!.message.startsWith(`cannot fetch ${url()}: `)).toBe(true);
    expect(reason).toMatch(words);
    expect(reason).toContain('so it did not connect');
    expect(reason).toContain(ALLOW_HINT);
  });

  it('refuses a redirect from an allowed server to an IPv4-mapped loopback address', async () => {
    process.env.PORTICO_SPEC_URL_ALLOW = `127.0.0.1:${port}`;
    const before = seen.length;
    const catalog = await loadCatalog(contentWithUrl(`http://127.0.0.1:${port}/to-mapped`), {});
    expect(seen.slice(before)).toEqual(['/to-mapped']);
    expect(catalog.diagnostics).toMatchObject([
      {
        severity: 'error',
        line: 7,
        message: `cannot fetch http://127.0.0.1:${port}/to-mapped: the server redirected to http://[::ffff:7f00:1]:${port}/openapi.yaml, and [::ffff:7f00:1] resolves to ::ffff:7f00:1, the IPv4-mapped form of 127.0.0.1, a private or loopback address; Portico fetches specs only from public addresses, so it did not connect. If this server is meant to be trusted, ${ALLOW_HINT}[::ffff:7f00:1]:${port}`,
      },
    ]);
  });

  it('stops reading at PORTICO_SPEC_URL_MAX_BYTES, counted after decompression', async () => {
    process.env.PORTICO_SPEC_URL_ALLOW = '127.0.0.1';
    process.env.PORTICO_SPEC_URL_MAX_BYTES = String(16 * 1024);
    for (const file of ['huge.yaml', 'bomb.yaml']) {
      const url = `http://127.0.0.1:${port}/${file}`;
      const catalog = await loadCatalog(contentWithUrl(url), {});
      expect(catalog.diagnostics, file).toMatchObject([
        { severity: 'error', line: 7, message: `cannot fetch ${url}: the document is larger than 16 KiB, the most Portico reads; raise PORTICO_SPEC_URL_MAX_BYTES to fetch it` },
      ]);
    }
  });
});
