import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { seedPglite } from './pglite-seed.ts';

export const projectRoot = path.resolve(import.meta.dirname, '../..');

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningPortal {
  base: string;
  dataDir: string;
  /** Where its demo gateway listens (http://localhost:<gatewayPort>). */
  gatewayPort: number;
  /** The portal's process id (for reading its memory use in /proc). */
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  /** What it printed on stdout only, and on stderr only (each line whole, unlike the interleaved output()). */
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `portico start` as a user would, with its own data directory and port, and waits until it
 * says it is running. Extra settings go in `env`, extra arguments in `args`.
 *
 * A portal of the demo content with no build setting of its own starts from the build its test
 * worker shares (see sharedDemoSite): its data directory gets a copy of that site, which `portico
 * start` serves without building, as it does for any site built from the same content, settings and
 * code. A test that must see the build passes a build setting (PORTICO_GATEWAY_PORT, say) or `--rebuild`.
 * A data directory made here also starts with a copy of the run's empty PGlite cluster (pglite-seed.ts);
 * a test that must see a first start make its database passes PORTICO_DATA_DIR.
 */
export async function startPortal(env: Record<string, string> = {}, timeoutMs = 150_000, args: string[] = []): Promise<RunningPortal> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const dataDir = env.PORTICO_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'portico-portal-'));
  // A data directory made here starts with a copy of the run's empty PGlite cluster; a test's own does not.
  if (!env.PORTICO_DATA_DIR && !env.DATABASE_URL) seedPglite(path.join(dataDir, 'pglite'));
  const shared = BUILD_SETTINGS.some((name) => name in env) || args.includes('--rebuild') ? undefined : await claimSharedGatewayPort();
  // The demo gateway gets a port of its own too, so portals in parallel test files never meet on 8080.
  const gatewayPort = env.PORTICO_GATEWAY_PORT ? Number(env.PORTICO_GATEWAY_PORT) : (shared?.port ?? (await freePort()));
  if (shared) {
    try {
      cpSync(path.join(await sharedDemoSite(shared), 'site'), path.join(dataDir, 'site'), { recursive: true });
    } catch (err) {
      shared.release(); // the next portal of this file may try again
      throw err;
    }
  }
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  let stdout = '';
  let stderr = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'start', ...args], {
    cwd: projectRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PORTICO_DATA_DIR: dataDir, NO_COLOR: '1', PORTICO_GATEWAY_PORT: String(gatewayPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
    stderr += d;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    shared?.release();
    if (!env.PORTICO_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      shared?.release();
      throw new Error(`portico start exited with ${child.exitCode}:\n${output}`);
    }
    // Ready when the portal says so: it prints this line once its database answers.
    if (output.includes(`the portal is running at ${env.PORTICO_PUBLIC_URL ?? base}`))
      return { base, dataDir, gatewayPort, pid: child.pid!, output: () => output, stdout: () => stdout, stderr: () => stderr, stop };
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`portico start did not answer within ${timeoutMs / 1000} s:\n${output}`);
}

/** Settings the docs build reads (src/lib/server/site-reuse.ts): a portal given one builds its own site. */
const BUILD_SETTINGS = [
  'PORTICO_CONTENT_DIR',
  'PORTICO_DATA_DIR',
  'PORTICO_GATEWAY_PORT',
  'PORTICO_DEMO_GATEWAY_URL',
  'PORTICO_OFFLINE',
  'PORTICO_KUSTOMIZE',
  'PORTICO_CLUSTER',
  'PORTICO_GIT_DIRECTORY',
];

/** The shared gateway ports this file's live portals hold (a file that starts two portals at once gives the second its own). */
const claimed = new Set<number>();

/**
 * The gateway port this test worker's demo portals share, since the demo site shows and calls the
 * gateway's address: one port per worker (VITEST_POOL_ID), so one build per worker. Undefined outside
 * a Vitest run, when another portal of this file holds it, or when it stays busy (another test run).
 */
async function claimSharedGatewayPort(): Promise<{ port: number; sitesDir: string; release(): void } | undefined> {
  let sites: { dir: string; gatewayPortBase: number } | undefined;
  try {
    sites = inject('porticoSharedSites');
  } catch {
    return undefined;
  }
  if (!sites) return undefined;
  const port = sites.gatewayPortBase + Number(process.env.VITEST_POOL_ID ?? 1);
  if (claimed.has(port)) return undefined;
  claimed.add(port);
  const release = () => claimed.delete(port);
  // The last file's HAProxy has been told to stop; wait until it has let the port go.
  const deadline = Date.now() + 15_000;
  while (!(await portIsFree(port))) {
    if (Date.now() > deadline) {
      release();
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, sitesDir: sites.dir, release };
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => server.close(resolve));
  return free;
}

/**
 * The data directory whose `site/` is the demo content built for the gateway at `port`, built by
 * `portico build` the first time a file of this worker asks (files of one worker run one after the
 * other, so no two build it at once). Moved into place whole, once built.
 */
async function sharedDemoSite(shared: { port: number; sitesDir: string }): Promise<string> {
  const dir = path.join(shared.sitesDir, `demo-${shared.port}`);
  if (existsSync(path.join(dir, 'site', 'portico-build.json'))) return dir;
  const building = mkdtempSync(path.join(shared.sitesDir, 'building-'));
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'build', '--out', path.join(building, 'site')], {
    cwd: projectRoot,
    env: { ...process.env, PORTICO_DATA_DIR: building, PORTICO_DEMO_GATEWAY_URL: `http://localhost:${shared.port}`, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the shared demo build (portico build) exited with ${code}:\n${output}`);
  renameSync(building, dir);
  return dir;
}
