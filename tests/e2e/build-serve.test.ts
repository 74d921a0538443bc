import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../support/portal.ts';
import { runPortico } from '../support/served.ts';

// DESIGN.md section 5: build once, serve many. `portico build` writes the site and the server
// bundle; `portico serve` serves that output in seconds, with cache headers a CDN can follow.
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};

interface Served {
  base: string;
  /** Milliseconds from the process start to its "the portal is running" line. */
  readyMs: number;
  /** CPU milliseconds the process used until that line (reported, not asserted). */
  readyCpuMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts `portico serve` and waits for the line it prints once /readyz answers. */
async function serve(siteDir: string, dataDir: string): Promise<Served> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'serve', '--site', siteDir], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', PORT: String(port), HOST: '127.0.0.1', PORTICO_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let readyCpuMs = 0;
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (!readyCpuMs && output.includes(`the portal is running at ${base}`)) {
        readyCpuMs = cpuMsOf(child.pid!);
        resolve(Date.now() - started);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`portico serve exited with ${code}:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const readyMs = await ready;
  return { base, readyMs, readyCpuMs, output: () => output, stop };
}

const demoBuild = { dataDir: '', siteDir: '', result: undefined as Awaited<ReturnType<typeof runPortico>> | undefined };

beforeAll(async () => {
  const root = tempDir('portico-build-');
  demoBuild.dataDir = path.join(root, 'build-data');
  demoBuild.siteDir = path.join(root, 'out', 'site');
  demoBuild.result = await runPortico(['build', '--out', demoBuild.siteDir], { PORTICO_DATA_DIR: demoBuild.dataDir });
}, 180_000);

afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe('portico build', () => {
  it('writes the static site and the server bundle to --out and exits 0', () => {
    expect(demoBuild.result!.stderr).toBe('');
    expect(demoBuild.result!.code).toBe(0);
    expect(existsSync(path.join(demoBuild.siteDir, 'client', 'index.html'))).toBe(true);
    expect(existsSync(path.join(demoBuild.siteDir, 'server', 'entry.mjs'))).toBe(true);
    expect(demoBuild.result!.stdout).toContain(`into ${demoBuild.siteDir}; serve it with \`portico serve --site ${demoBuild.siteDir}\``);
  });

  describe('a content repository with one broken API among four', () => {
    let content = '';
    beforeAll(() => {
      // traefik-airlines as published, without the file of the tickets API's spec (as in broken-api-build.test.ts).
      content = tempDir('portico-build-broken-');
      cpSync(path.join(projectRoot, 'tests/fixtures/real/traefik-airlines'), content, { recursive: true });
      rmSync(path.join(content, 'apps/tickets/oas.yaml'));
    });

    it('builds the three others by default', async () => {
      const out = path.join(tempDir('portico-build-out-'), 'site');
      const result = await runPortico(['build', '--out', out], { PORTICO_CONTENT_DIR: content, PORTICO_DATA_DIR: tempDir('portico-build-data-'), PORTICO_OFFLINE: '1' });
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(path.join(out, 'client', 'apis', 'flights-api', 'index.html'))).toBe(true);
      expect(existsSync(path.join(out, 'client', 'apis', 'tickets-api'))).toBe(false);
    }, 120_000);

    it('builds nothing with --strict, names the API left out and exits 1', async () => {
      const out = path.join(tempDir('portico-build-out-'), 'site');
      const result = await runPortico(['build', '--strict', '--out', out], { PORTICO_CONTENT_DIR: content, PORTICO_DATA_DIR: tempDir('portico-build-data-'), PORTICO_OFFLINE: '1' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^portico build: the content repository has \d+ errors; 1 API would be left out \(traefik-airlines\/tickets-api\); nothing was built \(--strict\)$/m);
      expect(result.stderr).toContain('hint: run `npx portico lint` to see them');
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
    }, 120_000);
  });

  it('exits 1 with the reason when the build fails', async () => {
    // A repository whose only API is broken: nothing could be published.
    const content = tempDir('portico-build-none-');
    cpSync(path.join(projectRoot, 'tests/fixtures/real/traefik-airlines'), content, { recursive: true });
    for (const app of readdirSync(path.join(content, 'apps'))) rmSync(path.join(content, 'apps', app), { recursive: true });
    const result = await runPortico(['build', '--out', path.join(tempDir('portico-build-out-'), 'site')], {
      PORTICO_CONTENT_DIR: content,
      PORTICO_DATA_DIR: tempDir('portico-build-data-'),
      PORTICO_OFFLINE: '1',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('portico build: the docs build failed:');
    expect(result.stderr).toContain('no API loads');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('refuses an unknown option with its usage', async () => {
    const result = await runPortico(['build', '--outt', 'x'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("portico build: Unknown option '--outt'");
    expect(result.stderr).toContain('hint: usage: portico build [--out DIR] [--strict]');
  });
});

describe('portico serve on a built site', () => {
  let served: Served;
  let firstReadyMs = 0;

  beforeAll(async () => {
    const dataDir = tempDir('portico-serve-data-');
    // The first start creates the embedded database; a replica that restarts finds it made.
    const first = await serve(demoBuild.siteDir, dataDir);
    firstReadyMs = first.readyMs;
    await first.stop();
    served = await serve(demoBuild.siteDir, dataDir);
  }, 120_000);

  afterAll(async () => served?.stop());

  // How fast serve is ready is a benchmark figure (`npm run bench -- --only island`), not a timed
  // test: here other test files build beside it, and a wall-clock bound held only on an idle
  // machine. What does not depend on the machine: serve answers from the built site, building
  // nothing, and says it is ready only once /readyz answers.
  it('is ready without building anything', async () => {
    console.log(`portico serve: ready in ${firstReadyMs} ms on a new data directory, ${served.readyMs} ms (${served.readyCpuMs} ms of CPU) on a restart`);
    expect(served.output()).not.toContain('building the docs');
    expect(served.output()).not.toContain('site built in');
    expect((await fetch(`${served.base}/readyz`)).status).toBe(200);
  });

  it('lets any cache keep hashed assets for a year', async () => {
    const asset = readdirSync(path.join(demoBuild.siteDir, 'client', '_astro')).find((f) => f.endsWith('.css'))!;
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${served.base}/_astro/${asset}`, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control'), method).toBe('public, max-age=31536000, immutable');
    }
    const fragment = readdirSync(path.join(demoBuild.siteDir, 'client', 'pagefind', 'fragment'))[0]!;
    expect((await fetch(`${served.base}/pagefind/fragment/${fragment}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const vendor = readdirSync(path.join(demoBuild.siteDir, 'client', 'vendor')).find((d) => d.startsWith('scalar-'))!;
    const vendorFile = readdirSync(path.join(demoBuild.siteDir, 'client', 'vendor', vendor))[0]!;
    expect((await fetch(`${served.base}/vendor/${vendor}/${vendorFile}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('makes caches revalidate static pages, and answers 304 to a conditional request', async () => {
    for (const page of ['/', '/guides/getting-started/', '/guides/getting-started', '/pagefind/pagefind.js']) {
      const res = await fetch(`${served.base}${page}`);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('cache-control'), page).toBe('public, max-age=0, must-revalidate');
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      expect(etag, page).toBeTruthy();
      expect(lastModified, page).toBeTruthy();
      // What a browser or CDN sends to revalidate (fetch would otherwise add `no-cache`, which forces a full answer).
      const byTag = await fetch(`${served.base}${page}`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
      expect(byTag.status, page).toBe(304);
      expect(byTag.headers.get('cache-control'), page).toBe('public, max-age=0, must-revalidate');
      expect(byTag.headers.get('etag'), page).toBe(etag);
      const byDate = await fetch(`${served.base}${page}`, { headers: { 'if-modified-since': lastModified!, 'cache-control': 'max-age=0' } });
      expect(byDate.status, page).toBe(304);
    }
    // A page changed since: the whole page again.
    expect((await fetch(`${served.base}/`, { headers: { 'if-none-match': 'W/"an-older-build"', 'cache-control': 'max-age=0' } })).status).toBe(200);
  });

  it('keeps the security headers on static pages and on 304s', async () => {
    const page = await fetch(`${served.base}/`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const notModified = await fetch(`${served.base}/`, { headers: { 'if-none-match': page.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-frame-options')).toBe('DENY');
  });

  it('leaves what the server renders with its own policy', async () => {
    expect((await fetch(`${served.base}/healthz`)).headers.get('cache-control')).toBe('no-store');
    const account = await fetch(`${served.base}/account/`, { redirect: 'manual' });
    expect(account.headers.get('cache-control')).toBe('no-store');
    // A path under /_astro/ with no file is not an asset: nothing may cache the server's 404 for a year.
    const missing = await fetch(`${served.base}/_astro/not-built.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).not.toBe('public, max-age=31536000, immutable');
  });
});

describe('portico serve for many replicas', () => {
  it('refuses the embedded database, read from a mounted file too, and says to set DATABASE_URL', async () => {
    const secrets = tempDir('portico-serve-secrets-');
    writeFileSync(path.join(secrets, 'replicas'), '2\n');
    const result = await runPortico(['serve', '--site', demoBuild.siteDir], { PORTICO_REPLICAS_FILE: path.join(secrets, 'replicas'), PORTICO_DATA_DIR: tempDir('portico-serve-data-') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('portico serve: invalid configuration: PORTICO_REPLICAS=2 needs DATABASE_URL: the embedded PGlite database belongs to one process, so replicas cannot share it');
    expect(result.stderr).toContain('hint: set DATABASE_URL to the PostgreSQL server (postgres://...) every replica uses, or run one replica');
    const unreadable = await runPortico(['serve', '--site', demoBuild.siteDir], { DATABASE_URL_FILE: path.join(secrets, 'missing') });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(`portico serve: invalid configuration: DATABASE_URL_FILE=${path.join(secrets, 'missing')}: cannot read DATABASE_URL from it: no such file`);
  });
});

describe('a site built elsewhere', () => {
  it('serves from any folder, which finds the project packages through the link beside it', () => {
    // `--out DIR/site` outside the project: the build links DIR/node_modules to the project's.
    const link = path.join(path.dirname(demoBuild.siteDir), 'node_modules');
    expect(readFileSync(path.join(link, 'astro', 'package.json'), 'utf8')).toContain('"name": "astro"');
  });
});
