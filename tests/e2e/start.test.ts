import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'portico-start-'));
let child: ChildProcess;
let base: string;
let output = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'start'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PORTICO_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 110_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`portico start exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(base)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`portico start did not serve within the deadline:\n${output}`);
}, 120_000);

afterAll(() => {
  child?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
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
    expect(output).toContain(`the portal is running at ${base}`);
    expect(html).toContain('<h1>Kestrel Developer Portal</h1>');
    for (const title of ['Shipments', 'Tracking', 'Warehouses', 'Kestrel Invoices']) expect(html).toContain(`<h2>${title}</h2>`);
  });

  it('keeps group-only APIs out of everything it serves statically', () => {
    const client = path.join(projectRoot, 'dist/client');
    const text = filesBelow(client).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(text).not.toContain('Partner Rates');
    expect(text).not.toContain('Fleet Telemetry');
  });

  it('answers an unknown page with 404', async () => {
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
  });
});
