import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';

/** Debian's Chromium, as the browser tests use it. */
export const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every Lighthouse run uses: headless, no sandbox (containers), nothing phoning home. */
export const CHROMIUM_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export interface RunningChromium {
  port: number;
  stop(): Promise<void>;
}

/** The Chromium version string, for the results (e.g. "Chromium 156.0.8078.79"). */
export function chromiumVersion(): string {
  const child = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  return child.status === 0 ? child.stdout.trim().split(' built on')[0]! : 'not found';
}

/** Starts Chromium with a fresh profile and a DevTools port for Lighthouse; the profile goes with it. */
export async function launchChromium(): Promise<RunningChromium> {
  if (!existsSync(CHROMIUM)) throw new PorticoError(`${CHROMIUM} is not there`, "install Debian's Chromium (apt-get install chromium), or set PORTICO_CHROMIUM");
  const profile = mkdtempSync(path.join(tmpdir(), 'portico-bench-chromium-'));
  const child: ChildProcess = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const portFile = path.join(profile, 'DevToolsActivePort');
  const deadline = Date.now() + 30_000;
  while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').includes('\n')) {
    if (child.exitCode !== null) throw new PorticoError(`Chromium exited with ${child.exitCode}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new PorticoError('Chromium did not open its DevTools port within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(readFileSync(portFile, 'utf8').split('\n')[0]);
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
