import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../catalog/load.ts';
import type { Catalog } from '../catalog/model.ts';
import { publishedCatalog } from '../catalog/published.ts';
import type { Config } from '../config.ts';
import { describeError, PorticoError } from '../errors.ts';
import { GitWorkspace, stripCredentials } from '../gitops/git.ts';
import { log } from '../observability/log.ts';
import { docsState, publishCatalog } from './docs-state.ts';
import type { ServedPortal } from './serve.ts';
import { contentFingerprint, readBuildInfo } from './site-build-info.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The docs side of `portico serve` when it follows a branch. */
export interface BranchFollower {
  /** Checks the branch now (a webhook, a poll); resolves once any build this started has ended. */
  check(reason: string): Promise<void>;
  stop(): void;
}

type DocsSource = NonNullable<Config['docs']>;

/** The folder of one followed commit's build: its content copy and its site. */
function buildDirOf(dataDir: string, commit: string): string {
  return path.join(dataDir, 'docs', 'builds', commit.slice(0, 12));
}

/** How long a commit whose build failed is left alone before it is built again. */
const RETRY_FAILED_AFTER_MS = 10 * 60_000;

/** Which site the follower served last, so a restart serves it again at once. */
const CURRENT_FILE = 'current.json';

/**
 * The site a restarted follower serves before its first check: the last one it switched to, when
 * that build is still on disk; else undefined (the site given to `serve` is served).
 */
export function lastFollowedSite(dataDir: string): { siteDir: string; contentDir: string } | undefined {
  const file = path.join(dataDir, 'docs', CURRENT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { siteDir, contentDir } = JSON.parse(readFileSync(file, 'utf8')) as { siteDir: string; contentDir: string };
    return existsSync(path.join(siteDir, 'server', 'entry.mjs')) && existsSync(contentDir) ? { siteDir, contentDir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The grants folder as seen from the content folder: excluded from the fingerprint, since the
 * portal's own commits there change no page.
 */
function grantsFolderInContent(source: DocsSource, grantsFolder: string, sameRepository: boolean): string[] {
  if (!sameRepository) return [];
  if (source.path === '.') return [grantsFolder];
  const rel = path.posix.relative(source.path, grantsFolder);
  return rel.startsWith('..') ? [] : [rel];
}

/**
 * Follows the docs branch: checks it every `pollSeconds` and when asked (the push webhook); when
 * the content changed, builds the new commit in a child process (the server keeps answering, and
 * the build's memory is returned when it ends) with the data directory's caches, so an unchanged
 * API's pages are reused; then switches the server to the new site between two requests. A build
 * that fails leaves the site before online, and says why in the status and the admin area.
 * One build at a time; a check asked for during a build runs after it, on the newest commit.
 */
export function followBranch(config: Config, portal: ServedPortal, source: DocsSource): BranchFollower {
  const state = docsState();
  const workspace = new GitWorkspace(path.join(config.dataDir, 'docs', 'repository'), {
    url: source.url,
    branch: source.branch,
    token: source.token,
    author: { name: 'Portico', email: 'portico@localhost' },
  });
  const exclude = grantsFolderInContent(source, config.git.directory, source.url === config.git.url);
  state.following = { url: stripCredentials(source.url, source.token), branch: source.branch, path: source.path };
  let servedFingerprint = readBuildInfo(portal.siteDir())?.contentFingerprint;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const once = async (reason: string): Promise<void> => {
    const started = performance.now();
    let commit: string;
    try {
      commit = await workspace.sync();
      state.lastCheck = { at: new Date(), commit };
    } catch (err) {
      state.lastCheck = { at: new Date(), error: describeError(err) };
      log.warn('could not check the docs branch', { reason, error: describeError(err) });
      return;
    }
    // A commit that failed is tried again after a while, not at every poll: its failure may have been
    // the machine's (memory, disk), not the content's.
    const failedRecently = commit === state.lastFailure?.commit && Date.now() - state.lastFailure.at.getTime() < RETRY_FAILED_AFTER_MS;
    if (commit === state.commit || failedRecently) return;
    const contentDir = path.join(workspace.dir, source.path);
    if (!existsSync(contentDir) || !statSync(contentDir).isDirectory()) {
      fail(commit, `the branch ${source.branch} has no folder ${source.path} at ${commit.slice(0, 12)} (PORTICO_DOCS_GIT_PATH)`);
      return;
    }
    const fingerprint = contentFingerprint(contentDir, exclude);
    if (fingerprint === servedFingerprint) {
      // Only the portal's own grants (or files outside the content folder) changed, or a commit put
      // back the content the site shows: the site is right for this commit, and no failure stands.
      state.commit = commit;
      state.lastFailure = undefined;
      return;
    }
    const dir = buildDirOf(config.dataDir, commit);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const content = path.join(dir, 'content');
    cpSync(contentDir, content, { recursive: true, filter: (from) => path.basename(from) !== '.git' });
    const siteDir = path.join(dir, 'site');
    state.building = { commit, since: new Date() };
    log.info('building the docs of a new commit', { commit, reason });
    const prepared = performance.now();
    try {
      const loadedCatalog = await loadCatalog(content, { cacheDir: config.cacheDir, offline: true, demoGatewayUrl: config.demoGatewayUrl });
      const loaded = performance.now();
      refuseContentWithoutApis(loadedCatalog, source, commit);
      const catalog = publishedCatalog(loadedCatalog);
      const output = await buildInChild(config, content, siteDir, commit, fingerprint);
      const built = performance.now();
      const previousSite = portal.siteDir();
      await portal.switchTo(siteDir);
      const switched = performance.now();
      const s = (ms: number) => Math.round(ms / 100) / 10;
      // What the build printed: how many APIs it rendered and how many it reused from its cache.
      const pages = /APIs rendered: (\d+).*reused unchanged from the last build: (\d+)/.exec(output);
      state.lastUpdate = {
        commit,
        at: new Date(),
        seconds: { check: s(prepared - started), build: s(built - loaded), catalog: s(loaded - prepared), switch: s(switched - built), total: s(switched - started) },
        apisRendered: pages ? Number(pages[1]) : undefined,
        apisReused: pages ? Number(pages[2]) : undefined,
      };
      publishCatalog(catalog);
      state.contentDir = content;
      state.commit = commit;
      state.builtAt = new Date();
      state.lastFailure = undefined;
      servedFingerprint = fingerprint;
      writeFileSync(path.join(config.dataDir, 'docs', CURRENT_FILE), JSON.stringify({ commit, siteDir, contentDir: content }));
      log.info('the docs now show a new commit', { ...state.lastUpdate });
      removeOldBuilds(config.dataDir, [dir, path.dirname(previousSite)]);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      fail(commit, describeError(err));
    } finally {
      state.building = undefined;
    }
  };

  const fail = (commit: string, error: string) => {
    state.lastFailure = { commit, at: new Date(), error };
    log.warn('the docs of a new commit were not built; the site before stays online', { commit, error });
  };

  const check = (reason: string): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await once(reason);
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = setInterval(() => void check('poll'), source.pollSeconds * 1000);
  timer.unref();
  return {
    check,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * A branch whose content folder holds no API definition at all (no API, no spec, no broken file)
 * is not the docs: most often the grants went to a repository of their own, which the docs follow
 * by default. Publishing it would take every API and offer off the portal, so it is refused.
 */
function refuseContentWithoutApis(catalog: Catalog, source: DocsSource, commit: string): void {
  // Content with errors goes on to the build, which says what they are.
  if (catalog.apis.length > 0 || catalog.failedApis.length > 0 || catalog.stats.specs > 0 || catalog.diagnostics.some((d) => d.severity === 'error')) return;
  throw new PorticoError(
    `the branch ${source.branch} holds no API definition in ${source.path === '.' ? 'its top folder' : source.path} at ${commit.slice(0, 12)}; the docs stay as they are`,
    'when the grants go to a repository of their own, set PORTICO_DOCS_GIT_URL (and PORTICO_DOCS_GIT_PATH) to the content repository, or PORTICO_DOCS_FOLLOW=off',
  );
}

/** Runs `portico build` for one commit in a child process; resolves with what it printed, rejects with its own message when it fails. */
function buildInChild(config: Config, contentDir: string, siteDir: string, commit: string, fingerprint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'portico.mjs'), 'build', '--out', siteDir], {
      cwd: projectRoot,
      env: { ...process.env, PORTICO_CONTENT_DIR: contentDir, PORTICO_DATA_DIR: config.dataDir, PORTICO_BUILD_COMMIT: commit, PORTICO_BUILD_FINGERPRINT: fingerprint, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A portal that stops does not leave its build running.
    const killChild = () => child.kill('SIGTERM');
    process.once('exit', killChild);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(err));
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killChild);
      if (code === 0) return resolve(output);
      // The command line prints "portico: <what>" and "  hint: ..." lines: those say why.
      const lines = output.split('\n').filter((l) => /^(portico|\s+hint)/.test(l) && !/building the docs from/.test(l));
      reject(new Error(lines.join(' ').replace(/\s+/g, ' ').trim() || `the build ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}

/** Keeps the builds in use (the one served and the one before, for pages opened before the switch); removes the rest. */
function removeOldBuilds(dataDir: string, keep: string[]): void {
  const builds = path.join(dataDir, 'docs', 'builds');
  if (!existsSync(builds)) return;
  const kept = new Set(keep.map((d) => path.resolve(d)));
  for (const name of readdirSync(builds)) {
    const dir = path.resolve(builds, name);
    if (!kept.has(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
