import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';
import { ensureLocalRemote } from '../lib/gitops/git.ts';
import { linkProjectModules } from '../lib/node-modules-link.ts';
import { startBuiltPortal } from './portal-process.ts';
import { mb, median, ms, quantile, type SectionTable } from './report.ts';
import { writeBenchContent } from './site-content.ts';
import type { BenchWork } from './work.ts';

/** The spec each push changes: a small API of the demo content, beside GitHub's 1,100 operations. */
const TOUCHED = 'clusters/production/logistics/apis/tracking/spec/swagger.yaml';
/** Where its change shows: the spec download of its version. */
const SHOWN_AT = '/apis/tracking/tracking/openapi.json';
const PUSHES = 10;
const SECRET = 'portico-bench-webhook-secret';

export interface FollowResults {
  pushes: number;
  latencyMs: number[];
  p50Ms: number;
  p95Ms: number;
  warmUpMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Where each counted push's time went inside the portal, as /api/v1/status reports it (seconds). */
  steps: Array<{ check: number; build: number; catalog: number; switch: number; total: number; apisRendered?: number; apisReused?: number }>;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * Docs update latency (issue 17): a portal serving the demo + GitHub site follows its branch
 * (decision record 19); each of ten pushes changes one spec, the Git host's push webhook tells the
 * portal, and the time is taken from `git push` to the first answer of the new content. The first
 * follow build of a fresh data folder renders everything (its caches are empty): it is a warm-up,
 * reported apart.
 */
export async function benchFollow(work: BenchWork): Promise<{ table: SectionTable; results: FollowResults }> {
  const dir = path.join(work.dir, 'follow');
  const content = path.join(dir, 'content');
  writeBenchContent(work.root, content);
  const remote = await ensureLocalRemote(path.join(dir, 'remote.git'), content);
  const clone = path.join(dir, 'clone');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', ...args], { cwd: clone, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();
  execFileSync('git', ['clone', '-q', remote, clone]);

  // The image's build: from the branch's content, so the portal starts on it without building.
  const siteDir = path.join(dir, 'image', 'site');
  linkProjectModules(work.root, path.dirname(siteDir));
  console.log('portico bench: building the demo + GitHub site that the following portal starts from');
  const built = spawnSync(process.execPath, [path.join(work.root, 'bin', 'portico.mjs'), 'build', '--out', siteDir], {
    cwd: work.root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PORTICO_CONTENT_DIR: clone, PORTICO_DATA_DIR: path.join(dir, 'build-data'), PORTICO_OFFLINE: '1', NO_COLOR: '1' },
  });
  if (built.status !== 0) throw new PorticoError(`the build for the follow benchmark failed: ${built.stderr.trim().split('\n').slice(-4).join(' / ')}`);

  const dataDir = path.join(dir, 'data');
  const portal = await startBuiltPortal(work.root, siteDir, {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_CONTENT_DIR: clone,
    PORTICO_GIT_URL: remote,
    PORTICO_GATEWAYS: 'haproxy',
    PORTICO_DOCS_POLL_SECONDS: '3600',
    PORTICO_WEBHOOK_SECRET: SECRET,
  });
  type Update = { commit: string; seconds: { check: number; build: number; catalog: number; switch: number; total: number }; apisRendered?: number; apisReused?: number };
  const status = async () =>
    ((await (await fetch(`${portal.base}/api/v1/status`)).json()) as { docs: { commit: string | null; lastFailure: { error?: string } | null; lastUpdate: Update | null } }).docs;
  const steps: FollowResults['steps'] = [];

  /** One push of a changed spec, announced by the webhook; milliseconds until the portal serves it. */
  const pushOnce = async (n: number): Promise<number> => {
    git('pull', '-q', '--rebase', 'origin', 'main');
    const file = path.join(clone, TOUCHED);
    const marker = `Kestrel Tracking API (revision ${n})`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}title: .*$/m, `  title: ${marker}`));
    git('commit', '-q', '-am', `Tracking API revision ${n}`);
    const started = performance.now();
    git('push', '-q', 'origin', 'HEAD:main');
    const commit = git('rev-parse', 'HEAD');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: commit });
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const hook = await fetch(`${portal.base}/api/v1/hooks/git`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature, 'content-type': 'application/json' }, body });
    if (hook.status !== 202) throw new PorticoError(`the push webhook answered ${hook.status}: ${await hook.text()}`);
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      const docs = await status();
      if (docs.commit === commit) {
        const served = performance.now() - started;
        const page = await (await fetch(`${portal.base}${SHOWN_AT}`)).text();
        if (!page.includes(marker)) throw new PorticoError(`the portal says it shows ${commit.slice(0, 7)}, but ${SHOWN_AT} does not have "${marker}"`);
        if (n > 0 && docs.lastUpdate) steps.push({ ...docs.lastUpdate.seconds, apisRendered: docs.lastUpdate.apisRendered, apisReused: docs.lastUpdate.apisReused });
        return served;
      }
      if (docs.lastFailure) throw new PorticoError(`the build of push ${n} failed: ${docs.lastFailure.error ?? 'no reason given'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new PorticoError(`push ${n} was not served within 10 minutes:\n${portal.output().slice(-2000)}`);
  };

  try {
    const warmUpMs = await pushOnce(0);
    const rssBeforeMb = rssMb(portal.pid);
    const latencyMs: number[] = [];
    for (let n = 1; n <= PUSHES; n++) {
      latencyMs.push(await pushOnce(n));
      console.log(`portico bench: push ${n} of ${PUSHES} served after ${(latencyMs.at(-1)! / 1000).toFixed(1)} s`);
    }
    const rssAfterMb = rssMb(portal.pid);
    const results: FollowResults = { pushes: PUSHES, latencyMs, p50Ms: median(latencyMs), p95Ms: quantile(latencyMs, 0.95), warmUpMs, rssBeforeMb, rssAfterMb, steps };
    const step = (name: 'check' | 'build' | 'catalog' | 'switch') => `${median(steps.map((x) => x[name])).toFixed(1)} s`;
    const last = steps.at(-1);
    return {
      results,
      table: {
        title: 'Docs that follow the branch: push to served (demo + GitHub content)',
        header: ['measure', 'value'],
        rows: [
          ['pushes of one changed spec', String(PUSHES)],
          ['push → served, p50', ms(results.p50Ms)],
          ['push → served, p95', ms(results.p95Ms)],
          ['of which: fetch, fingerprint and copy (median)', step('check')],
          ['of which: the build in a child process (median)', step('build')],
          ['of which: the new catalog in the server (median)', step('catalog')],
          ['of which: loading the new server and switching (median)', step('switch')],
          ['APIs rendered / reused by the last build', last ? `${last.apisRendered ?? '?'} / ${last.apisReused ?? '?'}` : '-'],
          ['first follow build (empty caches), not counted', ms(warmUpMs)],
          [`serving process RSS before → after the ${PUSHES} switches`, `${mb(rssBeforeMb)} → ${mb(rssAfterMb)}`],
        ],
        notes: [
          "From `git push` of a commit that changes one spec (the Tracking API; GitHub's API is unchanged) to the first answer of /api/v1/status naming that commit, checked every 100 ms; the spec download is then checked to have the change.",
          'The push webhook announces each commit, as GitHub would; the portal builds it in a child process with its caches (unchanged APIs reused) and switches between two requests (decision record 19).',
          'RSS growth per switch is the copy of the server bundle each switch loads.',
        ],
      },
    };
  } finally {
    await portal.stop();
  }
}
