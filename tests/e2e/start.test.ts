import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { until } from '../support/http-client.ts';
import { freePort, projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

let portal: RunningPortal;
let base: string;
let gatewayPort: number;

beforeAll(async () => {
  // The demo gateway on a port of its own, so another portal on 8080 cannot keep it from starting.
  gatewayPort = await freePort();
  portal = await startPortal({ PORTICO_GATEWAY_PORT: String(gatewayPort) });
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
    const text = filesBelow(client)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    // The public getting-started guide names Partner Rates in prose; the API itself must not appear.
    expect(text).not.toContain('Kestrel Partner Rates API');
    expect(text).not.toContain('getRateCard');
    expect(text).not.toContain('Fleet Telemetry');
  });

  it('answers an unknown page with 404', async () => {
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
  });
});

describe('what npm start prints', () => {
  it('prints the build summary the README promises', () => {
    expect(portal.stdout()).toMatch(/^portico: site built in \d+\.\d s: \d+ pages indexed for search$/m);
    expect(portal.stdout()).toMatch(/^portico: APIs rendered: \d+.*; reused unchanged from the last build: \d+$/m);
  });

  it('prints exactly one ready line, last, once the portal and the demo gateway both answer', async () => {
    const lines = portal.stdout().trimEnd().split('\n');
    const ready = lines.filter((line) => /\bready\b/.test(line));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatch(new RegExp(`^portico: ready in \\d+ s: the portal is running at ${base.replace(/[.]/g, '\\.')}, the demo gateway at http://localhost:${gatewayPort} \\(data in .+\\)$`));
    // After the build's summary and the gateway's own line.
    const at = lines.indexOf(ready[0]!);
    const gatewayLine = lines.findIndex((line) => line.includes(`listens on http://localhost:${gatewayPort}`));
    expect(gatewayLine).toBeGreaterThan(-1);
    expect(gatewayLine).toBeLessThan(at);
    expect(lines.findIndex((line) => line.startsWith('portico: site built in'))).toBeLessThan(at);
    // Both answer now: the portal's page, and HAProxy's refusal of a request without a key.
    expect((await fetch(`${base}/plans/`)).status).toBe(200);
    const refused = await fetch(`http://localhost:${gatewayPort}/shipments/v2/shipments`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { title: string }).title).toBe('Unauthorized');
  });

  it('logs JSON when its output is not a terminal: every request, successful reads too', async () => {
    expect((await fetch(`${base}/api/v1/gateway`)).status).toBe(200);
    const requests = await until('the request line', async () => {
      const found = portal
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number });
      return found.some((l) => l.msg === 'request' && l.path === '/api/v1/gateway') ? found : undefined;
    });
    expect(requests.find((l) => l.path === '/api/v1/gateway')).toMatchObject({ msg: 'request', status: 200 });
  });
});

describe('npm start when its terminal closes', () => {
  /** Live processes whose command line names this data directory's HAProxy configuration. */
  const haproxyOf = (dataDir: string) =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
            .split('\0')
            .includes(path.join(dataDir, 'gateway', 'haproxy.cfg'));
        } catch {
          return false; // exited while we looked
        }
      });

  it('stops the demo gateway with the portal on SIGHUP, so no HAProxy outlives it', async () => {
    const hung = await startPortal();
    try {
      expect(hung.output()).toContain('the demo gateway (HAProxy');
      expect(haproxyOf(hung.dataDir).length).toBeGreaterThan(0);
      process.kill(hung.pid, 'SIGHUP');
      await until(
        'the portal to exit',
        async () => {
          try {
            process.kill(hung.pid, 0);
            return undefined;
          } catch {
            return true;
          }
        },
        20,
      );
      await until('its HAProxy to end', async () => (haproxyOf(hung.dataDir).length === 0 ? true : undefined), 10);
    } finally {
      await hung.stop();
    }
  }, 180_000);
});

describe('the log format a process chooses', () => {
  const script = path.join(projectRoot, 'tests/support/log-lines.ts');
  const env = (extra: Record<string, string> = {}) => {
    const { PORTICO_LOG_FORMAT: _unset, ...rest } = process.env;
    return { ...rest, NO_COLOR: '1', ...extra };
  };
  /** The child's stdout through a pipe. */
  const piped = (extra?: Record<string, string>) => execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, encoding: 'utf8', env: env(extra) });
  /** The child's stdout on a pseudo-terminal (util-linux script), as on a person's terminal. */
  const onTerminal = (extra?: Record<string, string>) =>
    execFileSync('script', ['-qec', `${process.execPath} --import tsx ${script}`, '/dev/null'], { cwd: projectRoot, encoding: 'utf8', env: env(extra) }).replace(/\r\n/g, '\n');

  it('writes readable lines on a terminal, without successful reads', () => {
    expect(onTerminal().trimEnd().split('\n')).toEqual(['portico: hello from the portal', 'portico: POST /api/v1/applications 201 2 ms requestId=req-write']);
  });

  it('writes JSON through a pipe, or on a terminal when PORTICO_LOG_FORMAT=json, with every request', () => {
    for (const out of [piped(), onTerminal({ PORTICO_LOG_FORMAT: 'json' })]) {
      const lines = out
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
        ['hello from the portal', undefined],
        ['request', 'req-read'],
        ['request', 'req-write'],
      ]);
    }
  });

  it('writes readable lines through a pipe when PORTICO_LOG_FORMAT=pretty', () => {
    expect(piped({ PORTICO_LOG_FORMAT: 'pretty' }).trimEnd().split('\n')).toEqual(['portico: hello from the portal', 'portico: POST /api/v1/applications 201 2 ms requestId=req-write']);
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
      // Said before the build, not after it.
      expect(result.stdout).not.toContain('building the docs');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 160_000);

  it('stops with the reason when DATABASE_URL cannot be used, never showing its password', async () => {
    const result = start({ PORT: String(await freePort()), DATABASE_URL: 'postgres://portal:hunter2-secret@127.0.0.1:5999/portico' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'portico start: the portal started but is not ready: The portal cannot serve this yet: cannot use the database at DATABASE_URL: the connection was refused (is the server running?).',
    );
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  }, 160_000);
});
