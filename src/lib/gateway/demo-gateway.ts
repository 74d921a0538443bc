import { createServer } from 'node:net';
import path from 'node:path';
import { loadCatalog } from '../catalog/load.ts';
import type { Config } from '../config.ts';
import { describeError } from '../errors.ts';
import { GitWorkspace } from '../gitops/git.ts';
import { HAPROXY_DIR, renderHaproxy } from '../gitops/render/haproxy.ts';
import { startDemoUpstream } from './demo-upstream.ts';
import { HaproxyRunner, run, stopLeftoverHaproxy } from './haproxy-runner.ts';
import { findHaproxy, type GatewaySettings } from './settings.ts';
import { registerGateway, type GatewayStatus } from './status.ts';

/*
 * The demo gateway of `npm start`: the demo upstream, and a real HAProxy in front of it that runs
 * the haproxy policy committed to the target branch. A watcher reads that branch every
 * PORTICO_GIT_INTERVAL seconds (and at once when kickGatewaySync() is called) through its own
 * working copy, so what HAProxy enforces is always a commit of the branch, never the writer's
 * work in progress. Without HAProxy, or with its port taken, the portal still starts and says why.
 */

export interface DemoGateway {
  status(): GatewayStatus;
  /** The line `portico start` prints: where the gateway listens, or why it is not running. */
  summary(): string;
  stop(): Promise<void>;
  /** For a process that is exiting right now: signals HAProxy synchronously. */
  killNow(): void;
}

/** Starts the demo upstream and, when it can, HAProxy on the committed policy. Never throws for a missing HAProxy or a taken port. */
export async function startDemoGateway(config: Config, settings: GatewaySettings, log: (line: string) => void): Promise<DemoGateway> {
  const catalog = await loadCatalog(config.contentDir, { cacheDir: config.cacheDir, offline: config.offline, demoGatewayUrl: config.demoGatewayUrl });
  const upstream = await startDemoUpstream(catalog);
  const url = `http://localhost:${settings.port}`;
  const workDir = path.join(config.dataDir, 'gateway');
  const policyPath = `${config.git.branch}:${config.git.directory}/${HAPROXY_DIR}`;

  const notRunning = async (reason: string): Promise<DemoGateway> => {
    const status: GatewayStatus = {
      running: false,
      url: null,
      upstreamUrl: upstream.url,
      commit: null,
      note: `The demo gateway is not running: ${reason}. API keys and limits are not checked; the Try-it console calls the demo upstream directly, and its answers are examples from the specs.`,
    };
    registerGateway({ status: () => status, kick: () => {} });
    return {
      status: () => status,
      summary: () => `the demo gateway is not running: ${reason}; the demo upstream answers at ${upstream.url} without checking keys`,
      stop: async () => {
        registerGateway(undefined);
        await upstream.close();
      },
      killNow: () => {},
    };
  };

  const found = findHaproxy(settings);
  if ('missing' in found) return notRunning(found.missing);
  const version = await run(found.bin, ['-v']);
  if (!version.ok) return notRunning(`${found.bin} -v failed (${version.output.trim().split('\n')[0]})`);
  const release = /version (\S+)/.exec(version.output)?.[1] ?? '';

  await stopLeftoverHaproxy(workDir);
  const binds = [`127.0.0.1:${settings.port}`];
  const portProblem = await probePort('127.0.0.1', settings.port);
  if (portProblem) return notRunning(portProblem);
  // `localhost` may resolve to ::1 first: listen there too when this machine has IPv6 loopback.
  if (!(await probePort('::1', settings.port))) binds.push(`[::1]:${settings.port}`);

  const runner = new HaproxyRunner({ bin: found.bin, workDir, binds, upstream: `127.0.0.1:${upstream.port}`, log: (line) => log(line) });
  const workspace = new GitWorkspace(path.join(workDir, 'git'), {
    url: config.git.url ?? path.join(config.dataDir, 'gitops.git'),
    branch: config.git.branch,
    token: config.git.token,
    author: { name: 'Portico', email: 'portico@localhost' },
  });

  let commit: string | null = null;
  // Reading the branch and loading a commit fail for different reasons, and recover separately.
  const problems: { git?: string; policy?: string } = {};
  const report = (kind: 'git' | 'policy', message: string | undefined) => {
    if (message && message !== problems[kind]) log(`gateway: ${message}`);
    problems[kind] = message;
  };
  const problem = () => problems.git ?? problems.policy;

  /** The committed haproxy files at the branch tip; the empty policy (every key refused) until there are some. */
  const readBranch = async (): Promise<{ tip: string; files: Map<string, string>; committed: boolean }> => {
    const tip = await workspace.sync();
    const files = workspace.readFolder(`${config.git.directory}/${HAPROXY_DIR}`);
    return files.size > 0 ? { tip, files, committed: true } : { tip, files: emptyPolicy(), committed: false };
  };

  let seenTip: string | undefined;
  let committedPolicy = false;
  let initial: { tip?: string; files: Map<string, string>; committed: boolean };
  try {
    initial = await readBranch();
  } catch (err) {
    report('git', `could not read ${policyPath}: ${oneLine(err)}`);
    initial = { files: emptyPolicy(), committed: false };
  }
  try {
    try {
      await runner.start(initial.files);
    } catch (err) {
      // A committed policy HAProxy refuses: run the empty one, and let the next commit fix it.
      if (!initial.committed || !/refuses the committed policy/.test((err as Error).message)) throw err;
      report('policy', oneLine(err));
      await runner.start(emptyPolicy());
      initial = { tip: initial.tip, files: emptyPolicy(), committed: false };
    }
  } catch (err) {
    await runner.stop();
    return notRunning(describeError(err).split('\n')[0]!.replace(/\.$/, ''));
  }
  seenTip = initial.tip;
  commit = initial.tip ?? null;
  committedPolicy = initial.committed;

  let busy = false;
  let again = false;
  let stopped = false;
  const poll = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      let branch: Awaited<ReturnType<typeof readBranch>>;
      try {
        branch = await readBranch();
        report('git', undefined);
      } catch (err) {
        report('git', `could not read ${policyPath}: ${oneLine(err)}`);
        return;
      }
      if (stopped || (runner.running && branch.tip === seenTip)) return;
      // Marked seen first: a commit HAProxy refuses is reported once, not checked again every pass.
      seenTip = branch.tip;
      if (!runner.running) {
        // HAProxy died: start it again on the branch's policy.
        await runner.start(branch.files);
        log(`gateway: HAProxy started again with ${policyPath} at ${branch.tip.slice(0, 7)}`);
      } else if (await runner.apply(branch.files)) {
        log(`gateway: HAProxy reloaded with ${policyPath} at ${branch.tip.slice(0, 7)}`);
      }
      commit = branch.tip;
      committedPolicy = branch.committed;
      report('policy', undefined);
    } catch (err) {
      report('policy', oneLine(err));
    } finally {
      busy = false;
      if (again && !stopped) {
        again = false;
        void poll();
      }
    }
  };
  const timer = setInterval(() => void poll(), config.git.intervalSeconds * 1000);
  timer.unref();

  const status = (): GatewayStatus => {
    const running = runner.running;
    const what = !committedPolicy
      ? `no haproxy policy is committed to ${policyPath} yet${config.gateways.includes('haproxy') ? '' : ' (haproxy is not in PORTICO_GATEWAYS)'}, so every key is refused`
      : `it enforces ${policyPath}${commit ? ` at ${commit.slice(0, 7)}` : ''}`;
    return {
      running,
      url: running ? url : null,
      upstreamUrl: upstream.url,
      commit: running ? commit : null,
      note: running
        ? `HAProxy${release ? ` ${release}` : ''} checks API keys, rate limits and quotas at ${url}: ${what}. Behind it, the demo upstream answers with examples from the specs.${problem() ? ` Last problem: ${problem()}.` : ''}`
        : `The demo gateway stopped${problem() ? ` (${problem()})` : ''}. API keys are not checked; the Try-it console calls the demo upstream directly, and its answers are examples from the specs.`,
    };
  };
  registerGateway({ status, kick: () => void poll() });

  return {
    status,
    summary: () => `the demo gateway (HAProxy${release ? ` ${release}` : ''}) listens on ${url} and enforces the API keys committed to ${policyPath}`,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      registerGateway(undefined);
      await runner.stop();
      await upstream.close();
    },
    killNow: () => runner.killNow(),
  };
}

/** Undefined when the port is free on that address; else why it cannot be used, in words. */
function probePort(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'EADDRINUSE'
          ? `port ${port} is already in use by another program (choose another with PORTICO_GATEWAY_PORT)`
          : `cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port} (${err.code ?? err.message})`,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

function oneLine(err: unknown): string {
  return describeError(err)
    .replace(/\n\s*hint: /, '; ')
    .replace(/\s*\n\s*/g, ' ');
}

/** The policy of no grants: HAProxy runs and refuses every key (401). */
function emptyPolicy(): Map<string, string> {
  return new Map([...renderHaproxy([], new Map())].map(([file, text]) => [file.slice(HAPROXY_DIR.length + 1), text]));
}
