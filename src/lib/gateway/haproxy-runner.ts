import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { PorticoError } from '../errors.ts';
import { HAPROXY_BIND_ENV, HAPROXY_DIR, HAPROXY_DIR_ENV, HAPROXY_UPSTREAM_BACKEND } from '../gitops/render/haproxy.ts';

/*
 * Runs a real HAProxy on the committed haproxy policy (keys.map, plans.map, quotas.map, portico.cfg),
 * the way docs/gateways/haproxy.md tells an operator to: our own small haproxy.cfg (defaults and the
 * upstream backend) plus the committed fragment, checked with `haproxy -c` before every start, and a
 * new commit loaded by a graceful reload (`haproxy -sf <old pid>`: the new process takes the port,
 * the old one finishes its requests and exits). A policy HAProxy refuses never replaces a running one.
 *
 * Layout of the work directory (<data dir>/gateway):
 *   haproxy.cfg     ours, written at each start: global, defaults, backend portico_upstream
 *   policy/         the committed files HAProxy runs now
 *   policy.next/    a new commit's files while `haproxy -c` checks them
 *   haproxy.pids    the processes this portal started, so a portal that was killed leaves none behind
 */

export interface HaproxyRunnerOptions {
  /** The haproxy binary. */
  bin: string;
  /** Where the config, the policy and the pid list go. */
  workDir: string;
  /** Addresses to listen on, HAProxy's syntax (`127.0.0.1:8080`, `[::1]:8080`); the first is probed. */
  binds: string[];
  /** `host:port` of the demo upstream. */
  upstream: string;
  log(line: string): void;
}

/** Policy file names: flat, as the renderer writes them under haproxy/. */
const FILE_NAME = /^[A-Za-z0-9._-]+$/;
// Old processes keep serving the requests they hold after a reload; this bounds how long.
const HARD_STOP_AFTER = '5s';

export class HaproxyRunner {
  private readonly options: HaproxyRunnerOptions;
  private readonly mainConfig: string;
  private readonly policyDir: string;
  private readonly pidFile: string;
  private readonly children = new Set<ChildProcess>();
  /** Processes that answered once: only their exit is news (a failed start is reported by its caller). */
  private readonly answered = new WeakSet<ChildProcess>();
  /** The last few KB each process printed, for the reason when it refuses to start. */
  private readonly outputs = new WeakMap<ChildProcess, string>();
  private current: ChildProcess | undefined;
  private policy = new Map<string, string>();
  private stopping = false;

  constructor(options: HaproxyRunnerOptions) {
    this.options = options;
    this.mainConfig = path.join(options.workDir, 'haproxy.cfg');
    this.policyDir = path.join(options.workDir, 'policy');
    this.pidFile = path.join(options.workDir, 'haproxy.pids');
  }

  /** True while the process serving the port is alive. */
  get running(): boolean {
    return this.current !== undefined && isAlive(this.current);
  }

  /** The process ids this runner started that are still alive (old ones finish their requests first). */
  pids(): number[] {
    return [...this.children].filter(isAlive).map((c) => c.pid!);
  }

  /** Writes our haproxy.cfg, checks `policy` and starts HAProxy on it; throws with HAProxy's own words. */
  async start(policy: Map<string, string>): Promise<void> {
    this.stopping = false;
    mkdirSync(this.options.workDir, { recursive: true });
    await stopLeftoverHaproxy(this.options.workDir);
    writeFileSync(this.mainConfig, this.renderMainConfig());
    await this.stageAndSwap(policy);
    const child = this.spawnHaproxy();
    await this.waitAnswering(child);
    this.current = child;
  }

  /**
   * Loads a new policy with a graceful reload. Returns false when nothing changed. Throws (and keeps
   * the running process and its policy) when HAProxy refuses the new files.
   */
  async apply(policy: Map<string, string>): Promise<boolean> {
    if (!this.current) throw new Error('haproxy: apply() before start()');
    if (sameFiles(policy, this.policy)) return false;
    await this.stageAndSwap(policy);
    const old = this.current;
    const child = this.spawnHaproxy(old.pid);
    this.current = child;
    try {
      // The new process tells the old one to stop once it holds the port; if it cannot, it exits.
      await Promise.race([exited(old, 15_000), exited(child, 15_000)]);
      await this.waitAnswering(child);
    } catch (err) {
      if (isAlive(old)) this.current = old; // the old process still serves the previous commit
      throw err;
    }
    return true;
  }

  /** Stops every process this runner started (graceful, then forced after 5 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    const live = [...this.children].filter(isAlive);
    for (const child of live) child.kill('SIGTERM');
    await Promise.all(live.map(async (child) => (await exited(child, 5_000)) || child.kill('SIGKILL')));
    this.current = undefined;
    rmSync(this.pidFile, { force: true });
  }

  /** For a process that is exiting right now: signals every process this runner started, synchronously. */
  killNow(): void {
    this.stopping = true;
    for (const child of this.children) if (isAlive(child)) child.kill('SIGTERM');
    rmSync(this.pidFile, { force: true });
  }

  private renderMainConfig(): string {
    const [host, port] = splitHostPort(this.options.upstream);
    return [
      '# Written by Portico at each start of the demo gateway; the policy it enforces is the committed one in policy/.',
      'global',
      '    maxconn 1024',
      `    hard-stop-after ${HARD_STOP_AFTER}`,
      '',
      'defaults',
      '    mode http',
      '    timeout connect 5s',
      '    timeout client 30s',
      '    timeout server 30s',
      '    timeout http-request 10s',
      '',
      '# The demo upstream: example answers from the specs.',
      `backend ${HAPROXY_UPSTREAM_BACKEND}`,
      `    server demo ${host}:${port}`,
      '',
    ].join('\n');
  }

  /** Writes `policy` to policy.next/, checks it with `haproxy -c`, and only then makes it policy/. */
  private async stageAndSwap(policy: Map<string, string>): Promise<void> {
    if (!policy.has('portico.cfg')) throw new PorticoError('the haproxy policy has no portico.cfg', 'the Git writer commits it with the haproxy gateway target (PORTICO_GATEWAYS)');
    const next = `${this.policyDir}.next`;
    rmSync(next, { recursive: true, force: true });
    mkdirSync(next, { recursive: true });
    for (const [name, text] of policy) {
      if (!FILE_NAME.test(name)) throw new PorticoError(`the haproxy policy has a file named ${JSON.stringify(name)}; only plain file names are loaded`);
      writeFileSync(path.join(next, name), text);
    }
    const check = await run(this.options.bin, ['-c', '-f', this.mainConfig, '-f', path.join(next, 'portico.cfg')], this.env(next));
    if (!check.ok) {
      rmSync(next, { recursive: true, force: true });
      // Name the file as it is in the repository, not the staging copy.
      const reason = firstAlert(check.output.split(`${next}${path.sep}`).join(`${HAPROXY_DIR}/`));
      throw new PorticoError(`HAProxy refuses the committed policy: ${reason}`, 'fix the files under haproxy/ in the GitOps repository; the gateway keeps what it ran before');
    }
    rmSync(this.policyDir, { recursive: true, force: true });
    renameSync(next, this.policyDir);
    this.policy = new Map(policy);
  }

  private env(policyDir: string): NodeJS.ProcessEnv {
    return { ...process.env, [HAPROXY_DIR_ENV]: policyDir, [HAPROXY_BIND_ENV]: this.options.binds.join(',') };
  }

  private spawnHaproxy(replacing?: number): ChildProcess {
    const args = ['-f', this.mainConfig, '-f', path.join(this.policyDir, 'portico.cfg'), '-db', ...(replacing ? ['-sf', String(replacing)] : [])];
    // Its own process group: a Ctrl-C in the terminal reaches the portal, which stops HAProxy itself.
    const child = spawn(this.options.bin, args, { env: this.env(this.policyDir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (d: Buffer) => this.outputs.set(child, ((this.outputs.get(child) ?? '') + d.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.children.add(child);
    this.writePids();
    child.once('exit', (code, signal) => {
      this.children.delete(child);
      this.writePids();
      // Only the serving process matters: old ones exit after every reload.
      if (child === this.current) {
        this.current = undefined;
        if (!this.stopping && this.answered.has(child))
          this.options.log(`gateway: HAProxy stopped unexpectedly (${signal ?? `exit code ${code}`}): ${firstAlert(this.outputs.get(child) ?? '') || 'no message'}`);
      }
    });
    return child;
  }

  private writePids(): void {
    const pids = this.pids();
    if (pids.length === 0) rmSync(this.pidFile, { force: true });
    else writeFileSync(this.pidFile, `${pids.join('\n')}\n`);
  }

  /** Waits (at most 10 s) until the frontend answers HTTP; fails with HAProxy's words if it exits. */
  private async waitAnswering(child: ChildProcess): Promise<void> {
    const [host, port] = splitHostPort(this.options.binds[0]!);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (!isAlive(child)) {
        const output = this.outputs.get(child) ?? '';
        throw new PorticoError(`HAProxy did not start: ${firstAlert(output) || `it exited with ${child.exitCode ?? child.signalCode}`}`);
      }
      if (await answers(host, port)) {
        this.answered.add(child);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    throw new PorticoError(`HAProxy did not answer on ${this.options.binds[0]} within 10 s`);
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, text]) => b.get(name) === text);
}

function splitHostPort(address: string): [string, number] {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`haproxy: ${address} is not host:port`);
  return [match[1]!, Number(match[2])];
}

/** HAProxy's first ALERT line (its reason for refusing), without the timestamp and prefix. */
function firstAlert(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const alert = (lines.find((l) => l.includes('[ALERT]')) ?? lines[0] ?? '').replace(/^\[ALERT\]\s*(\(\d+\)\s*:\s*)?/, '').replace(/^config\s*:\s*/, '');
  // HAProxy lists every keyword it knows before saying what it got: keep both ends.
  return alert.length > 400 ? `${alert.slice(0, 180)} … ${alert.slice(-180)}` : alert;
}

/** Runs a command to its end; `ok` is false on a non-zero exit or when it could not run at all. */
export function run(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ ok: !err, output: `${stdout}${stderr}${err && !stderr ? err.message : ''}` });
    });
  });
}

/** One HTTP request on its own connection: any status means the frontend is there. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'HEAD', agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Resolves true once the process has exited, or false after `ms`; never rejects, so a race leaves nothing behind. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isAlive(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    timer.unref(); // the child's own pipes keep the process alive while it runs
    child.once('exit', onExit);
  });
}

/**
 * A portal that was killed (SIGKILL, a crash) cannot stop its HAProxy, which keeps the port; the next
 * start does, and waits (at most 3 s) until they are gone. Only a process whose command line names
 * this work directory's config is signalled, never anything else.
 */
export async function stopLeftoverHaproxy(workDir: string): Promise<void> {
  const pidFile = path.join(workDir, 'haproxy.pids');
  const mainConfig = path.join(workDir, 'haproxy.cfg');
  if (!existsSync(pidFile)) return;
  const ours = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(mainConfig);
    } catch {
      return false; // gone already (or not Linux, where we cannot tell whose it is)
    }
  };
  const leftovers = readFileSync(pidFile, 'utf8')
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 1 && ours(pid));
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // it exited meanwhile
    }
  }
  for (let i = 0; i < 30 && leftovers.some(ours); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(pidFile, { force: true });
}
