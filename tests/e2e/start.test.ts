import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort, projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

let portal: RunningPortal;
let base: string;

beforeAll(async () => {
  portal = await startPortal();
  base = portal.base;
}, 160_000);

afterAll(async () => {
  await portal?.stop();
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe('npm start on embedded defaults', () => {
  it('builds the demo docs and serves the public portal', async () => {
    const html = await (await fetch(base)).text();
    expect(portal.output()).toContain(`the portal is running at ${base}`);
    expect(html).toContain('<h1>Kestrel Developer Portal</h1>');
    for (const title of ['Shipments', 'Tracking', 'Warehouses', 'Kestrel Invoices']) expect(html).toContain(`<h2>${title}</h2>`);
  });

  it('keeps group-only APIs out of everything it serves statically', () => {
    const client = path.join(portal.dataDir, 'site/client');
    const text = filesBelow(client).map((f) => readFileSync(f, 'utf8')).join('\n');
    // The public getting-started guide names Partner Rates in prose; the API itself must not appear.
    expect(text).not.toContain('Kestrel Partner Rates API');
    expect(text).not.toContain('getRateCard');
    expect(text).not.toContain('Fleet Telemetry');
  });

  it('answers an unknown page with 404', async () => {
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
  });
});

describe('health endpoints', () => {
  it('say the process is alive and the database ready', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', database: 'pglite' });
  });
});

describe('npm start when something is wrong', () => {
  function start(env: Record<string, string>) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portico-bad-start-'));
    const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'start'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, HOST: '127.0.0.1', PORTICO_DATA_DIR: dataDir, NO_COLOR: '1', ...env },
    });
    rmSync(dataDir, { recursive: true, force: true });
    return result;
  }

  it('stops with the port to change when the port is taken', async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const result = start({ PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`portico start: port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('hint: stop the other process, or choose another port with PORT=...');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 160_000);

  it('stops with the reason when DATABASE_URL cannot be used, never showing its password', async () => {
    const result = start({ PORT: String(await freePort()), DATABASE_URL: 'postgres://portal:hunter2-secret@127.0.0.1:5999/portico' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('portico start: the portal started but is not ready: The portal cannot serve this yet: cannot use the database at DATABASE_URL: the connection was refused (is the server running?).');
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  }, 160_000);
});
