import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PorticoError } from '../lib/errors.ts';
import { linkProjectModules } from '../lib/node-modules-link.ts';
import { watchProcessTree } from './process-tree.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What a build and a running portal need of the project; node_modules is linked, not copied. */
// The real repository the catalog bench reads through kustomize comes along too, and the docs
// build's packed DigitalOcean description.
const SNAPSHOT = ['astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'content', 'db', 'public', 'src', 'tests/fixtures/real/traefik-airlines', 'tests/fixtures/bench'];

/** Copies the project's sources into `dir` (a few MB), so one bench run measures one version of the code. */
export function snapshotProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of SNAPSHOT) if (existsSync(path.join(projectRoot, name))) cpSync(path.join(projectRoot, name), path.join(dir, name), { recursive: true });
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * The same files as `snapshotProject`, as they were at `revision` (git archive), for a before/after
 * in one run. Fails with a message when the revision is unknown.
 */
export function snapshotRevision(revision: string, dir: string): { commit: string; root: string } {
  const git = (args: string[], input?: Buffer) => execFileSync('git', args, { cwd: projectRoot, input, maxBuffer: 1024 ** 3, stdio: ['pipe', 'pipe', 'pipe'] });
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${revision}^{commit}`])
      .toString()
      .trim();
  } catch {
    throw new PorticoError(`--baseline ${revision} is not a commit of this repository`, 'give a commit, a tag or a branch, e.g. --baseline main~1');
  }
  const present = SNAPSHOT.filter((name) => {
    try {
      git(['cat-file', '-e', `${commit}:${name}`]);
      return true;
    } catch {
      return false;
    }
  });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-x', '-C', dir], { input: git(['archive', '--format=tar', commit, '--', ...present]), maxBuffer: 1024 ** 3 });
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { commit, root: dir };
}

/** The commit the project is at, and how many files differ from it: which code a run measured. */
export function projectRevision(): { commit: string; changedFiles: number } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), changedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', changedFiles: 0 };
  }
}

/** One site build's figures, measured around its own process. */
export interface BuildFigure {
  ms: number;
  /** Peak resident memory of the build's whole process tree (the Astro build, then Pagefind's indexer), sampled every 100 ms. */
  peakRssMb: number;
  /** The build process's own peak (its maxRSS), for comparison. */
  buildProcessPeakRssMb: number;
  /** HTML pages in the output, and how many of them are operation pages. */
  pages: number;
  operationPages: number;
  /** Bytes of the static output (site/client), uncompressed. */
  outputBytes: number;
  /** APIs whose pages this build rendered, and whose pages came from the page cache. */
  apisRendered: number;
  apisReused: number;
}

function sizeBelow(dir: string): { files: number; html: number; operations: number; bytes: number } {
  let files = 0;
  let html = 0;
  let operations = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else {
        files++;
        bytes += s.size;
        if (name.endsWith('.html')) html++;
        if (name === 'index.html' && path.basename(path.dirname(path.dirname(p))) === 'operations') operations++;
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, html, operations, bytes };
}

/**
 * The page cache keeps one folder per API, with a `key` file written when its pages were rendered;
 * a build that rendered an API rewrites it, a build that reused the pages leaves it alone.
 */
function countRendered(pageCacheDir: string, since: number): { rendered: number; reused: number } {
  if (!existsSync(pageCacheDir)) return { rendered: 0, reused: 0 };
  let rendered = 0;
  let reused = 0;
  for (const slug of readdirSync(pageCacheDir)) {
    const key = path.join(pageCacheDir, slug, 'key');
    if (!existsSync(key)) continue;
    if (statSync(key).mtimeMs >= since) rendered++;
    else reused++;
  }
  return { rendered, reused };
}

/** Builds the site of `contentDir` into `dataDir/site` in a child process (like `portico start` does) and measures it. */
export async function measureBuild(root: string, contentDir: string, dataDir: string): Promise<BuildFigure> {
  linkProjectModules(root, dataDir);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/bench/site-child.ts'), root, path.join(dataDir, 'site'), path.join(dataDir, 'cache', 'astro')], {
    cwd: root,
    env: { ...process.env, PORTICO_CONTENT_DIR: contentDir, PORTICO_DATA_DIR: dataDir, PORTICO_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tree = watchProcessTree(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  // Only the tail matters for an error message; a long build's progress lines are dropped.
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-16_000)));
  const status = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', (code) => resolve(code)));
  const peakBytes = tree.stop();
  if (status !== 0) {
    throw new PorticoError(`the site build of ${contentDir} failed (exit ${status}): ${stderr.trim().split('\n').slice(-8).join('\n')}`);
  }
  const own = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number; peakRssMb: number };
  const out = sizeBelow(path.join(dataDir, 'site', 'client'));
  const pages = countRendered(path.join(dataDir, 'cache', 'site-pages'), started);
  return {
    ms: own.ms,
    peakRssMb: Math.max(peakBytes / 1024 ** 2, own.peakRssMb),
    buildProcessPeakRssMb: own.peakRssMb,
    pages: out.html,
    operationPages: out.operations,
    outputBytes: out.bytes,
    apisRendered: pages.rendered,
    apisReused: pages.reused,
  };
}
