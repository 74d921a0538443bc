import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
 * says it is running. Extra settings go in `env`.
 */
export async function startPortal(env: Record<string, string> = {}, timeoutMs = 150_000): Promise<RunningPortal> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const dataDir = env.PORTICO_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'portico-portal-'));
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  let stdout = '';
  let stderr = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'start'], {
    cwd: projectRoot,
    // The demo gateway gets a free port too, so portals in parallel test files never meet on 8080.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PORTICO_DATA_DIR: dataDir, NO_COLOR: '1', PORTICO_GATEWAY_PORT: String(await freePort()), ...env },
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
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (!env.PORTICO_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`portico start exited with ${child.exitCode}:\n${output}`);
    // Ready when the portal says so: it prints this line once its database answers.
    if (output.includes(`the portal is running at ${env.PORTICO_PUBLIC_URL ?? base}`))
      return { base, dataDir, pid: child.pid!, output: () => output, stdout: () => stdout, stderr: () => stderr, stop };
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`portico start did not answer within ${timeoutMs / 1000} s:\n${output}`);
}
