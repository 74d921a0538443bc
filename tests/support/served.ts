import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, projectRoot } from './portal.ts';

/** A `portico serve` process, as a user or a container runs it. */
export interface ServedPortal {
  base: string;
  /** Milliseconds from the process start to its "the portal is running" line. */
  readyMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Runs the portico command line to its end, as a user would. */
export function runPortico(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `portico serve --site siteDir` with `env` and waits for the line it prints once /readyz answers. */
export async function servePortal(siteDir: string, env: Record<string, string>, timeoutMs = 120_000): Promise<ServedPortal> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'serve', '--site', siteDir], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portico serve did not say it was running within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes(`the portal is running at ${env.PORTICO_PUBLIC_URL ?? base}`)) {
        clearTimeout(timer);
        resolve(Date.now() - started);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portico serve exited with ${code}:\n${output}`));
    });
  });
  try {
    return { base, readyMs: await ready, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Requests made over and over while something happens (a switch of site): what failed, and who answered. */
export interface LoadLoop {
  /** Requests answered 200 so far. */
  answered(): number;
  /** Every request that did not answer 200, with its address (and the replica, when one is named). */
  failures: string[];
  /** The X-Replica headers seen, when a balancer names the replica that answered. */
  replicas: Set<string>;
  /** Stops after the round under way, and waits for it. */
  stop(): Promise<void>;
}

/**
 * Fetches every one of `addresses` from `base`, all at once, round after round, until stopped: a
 * page opened during a switch of site must never fail.
 */
export function requestsUnderLoad(base: string, addresses: string[]): LoadLoop {
  const failures: string[] = [];
  const replicas = new Set<string>();
  let answered = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        addresses.map(async (address) => {
          try {
            const res = await fetch(`${base}${address}`);
            await res.arrayBuffer();
            const replica = res.headers.get('x-replica');
            if (replica) replicas.add(replica);
            if (res.status === 200) answered++;
            else failures.push(`${address}${replica ? ` on ${replica}` : ''}: ${res.status}`);
          } catch (err) {
            failures.push(`${address}: ${(err as Error).message}`);
          }
        }),
      );
    }
  })();
  return {
    answered: () => answered,
    failures,
    replicas,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
