import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PortalProcess {
  base: string;
  pid: number;
  /** Seconds from starting the process to the first ready answer of /readyz. */
  readySeconds: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Serves an already built site with `portico serve`, as `portico start` does after its build
 * step, with the portal's settings in the environment. Several instances can serve one
 * build (each with its own data directory), which is how the provisioning benchmark runs two
 * portals on one database without building twice.
 */
export async function startBuiltPortal(projectRoot: string, siteDir: string, env: Record<string, string>, onLine?: (line: string) => void): Promise<PortalProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const started = performance.now();
  // `portico serve`, as a deployment runs a built portal: the security headers come with it.
  // PORTICO_BENCH_PROF=<dir> writes a CPU profile of each portal there (Node's --cpu-prof), when it stops.
  const profile = process.env.PORTICO_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.PORTICO_BENCH_PROF)}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, path.join(projectRoot, 'bin', 'portico.mjs'), 'serve', '--site', siteDir], {
    cwd: projectRoot, // as `portico start`: the migrations are found from the project folder
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', HOST: '127.0.0.1', PORT: String(port), PORTICO_OFFLINE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The access log grows with every request of a load test: keep the tail, for error messages.
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-32_768));
  child.stdout!.on('data', keep);
  // Whole lines of stdout, for a section that reads the portal's log (the provisioning benchmark's writer timings).
  let partial = '';
  if (onLine)
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    });
  child.stderr!.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const exited = await Promise.race([new Promise((r) => child.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    if (!exited) child.kill('SIGKILL');
  };
  // Ready when /readyz says the database answers (the first request also opens it and runs migrations).
  const deadline = Date.now() + 90_000;
  let last = '';
  let refusals = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new PorticoError(`the portal exited with ${child.exitCode}: ${output.trim().split('\n').slice(-5).join(' / ')}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return { base, pid: child.pid!, readySeconds: (performance.now() - started) / 1000, output: () => output, stop };
      last = `readyz answered ${res.status}: ${await res.text()}`;
      if (res.status === 503 && ++refusals >= 8) break; // the portal said why it cannot serve
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new PorticoError(`the portal did not become ready (${last})`);
}
