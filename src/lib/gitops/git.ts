import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../errors.ts';
import type { RenderedFiles } from './render/types.ts';

/** Where Portico commits grants: a remote (HTTPS with a token, SSH, or a local bare repository), a branch, a folder. */
export interface GitTarget {
  url: string;
  branch: string;
  /** HTTPS token; sent as a header, never put in a URL, never shown. */
  token?: string;
  author: { name: string; email: string };
}

/**
 * A Git failure, split as image-automation-controller does: `retryable` (the remote is down, a
 * push was rejected because someone else pushed) or not (needs a human: authentication, a
 * missing branch). Credentials are stripped from every message.
 */
export class GitError extends PorticoError {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, hint?: string) {
    super(message, hint);
    this.name = 'GitError';
    this.retryable = retryable;
  }
}

/** Removes credentials from text that may reach a person or a log. */
export function stripCredentials(text: string, token?: string): string {
  let out = text.replace(/(https?:\/\/)[^/@\s]+@/g, '$1***@');
  if (token) out = out.split(token).join('***');
  return out.replace(/(Authorization: (Basic|Bearer) )\S+/gi, '$1***');
}

/**
 * What git may see of Portico's environment: what it needs to run, to reach a remote (proxies,
 * custom CAs) and to use SSH as the operator set it up (agent socket, key command). Nothing else:
 * the portal's own secrets (DATABASE_URL, the OIDC client secret, ...) would otherwise reach every
 * git process, its hooks, its credential helpers and its SSH command.
 */
const GIT_ENV_PASSED = [
  'PATH',
  'HOME',
  'LANG',
  'TMPDIR',
  'TZ',
  'SSH_AUTH_SOCK',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSH_VARIANT',
  'GIT_EXEC_PATH',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy',
];

/**
 * The environment of one git process. The token goes in as environment-only configuration
 * (GIT_CONFIG_COUNT/KEY/VALUE, git 2.31+), never on the command line: any local user can read a
 * process's arguments (`ps`, /proc/<pid>/cmdline), while its environment is readable only by its owner.
 */
function gitEnvironment(target?: GitTarget, parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of GIT_ENV_PASSED) if (parent[name] !== undefined) env[name] = parent[name];
  // Never prompt (there is nobody to answer) and never read the user's or the system's config.
  Object.assign(env, { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' });
  if (target?.token) {
    const basic = Buffer.from(`x-access-token:${target.token}`).toString('base64');
    Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
  }
  return env;
}

/** Runs system git (isomorphic-git cannot push to a local bare repository). */
function git(args: string[], cwd: string, target?: GitTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: gitEnvironment(target), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(stripCredentials(`${stderr || err.message}`.trim(), target?.token)), { stderr: stripCredentials(stderr, target?.token) }));
      else resolve(stdout);
    });
  });
}

/** Classifies a failed fetch or push. */
function classify(action: string, err: unknown, target: GitTarget): GitError {
  const text = (err as Error).message;
  const url = stripCredentials(target.url, target.token);
  if (/rejected|non-fast-forward|fetch first|stale info/i.test(text)) return new GitError(`${action}: ${url} has commits this portal does not have yet`, true);
  if (/could not read Username|Authentication failed|403|401|Permission denied \(publickey/i.test(text)) {
    return new GitError(`${action}: ${url} refused the credentials`, false, 'check the Git token or SSH key the portal uses');
  }
  if (/couldn't find remote ref|Remote branch .* not found/i.test(text)) return new GitError(`${action}: ${url} has no branch ${target.branch}`, false, 'create the branch, or set the target branch');
  return new GitError(`${action}: ${url} cannot be reached (${text.split('\n').pop()})`, true, 'Portico tries again; the grant stays "committing" meanwhile');
}

/** A working copy of the target branch, owned by the one writer. */
export class GitWorkspace {
  readonly dir: string;
  readonly target: GitTarget;
  /**
   * The commit HEAD is at while the working copy holds exactly that commit's files (after a sync or
   * a commit, until the next write); undefined when unknown. Lets `sync` skip the checkout when the
   * remote's tip is where the working copy already is: the writer's usual case, right after its own push.
   */
  private cleanAt: string | undefined;
  /** Files `writeFolder` changed since the working copy was last known clean (0 then); undefined when unknown. */
  private written: number | undefined;
  /** Milliseconds spent in each operation since the last `takeTimings()`. */
  private spent: Record<string, number> = {};

  constructor(dir: string, target: GitTarget) {
    this.dir = dir;
    this.target = target;
  }

  /** Where the time went since the last call, per operation (sync, write, commit, push, ...): for the writer's log line. */
  takeTimings(): Record<string, number> {
    const spent = this.spent;
    this.spent = {};
    return spent;
  }

  private async timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.spent[operation] = (this.spent[operation] ?? 0) + (performance.now() - started);
    }
  }

  private timedSync<T>(operation: string, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.spent[operation] = (this.spent[operation] ?? 0) + (performance.now() - started);
    }
  }

  /** Makes the working copy match the remote branch's tip exactly; returns that commit. */
  sync(): Promise<string> {
    return this.timed('sync', async () => {
      if (!existsSync(path.join(this.dir, '.git'))) {
        mkdirSync(this.dir, { recursive: true });
        await git(['init', '-q', '-b', this.target.branch], this.dir);
        await git(['remote', 'add', 'origin', this.target.url], this.dir);
        this.cleanAt = undefined;
      }
      try {
        await git(['fetch', '-q', '--prune', 'origin', `+refs/heads/${this.target.branch}:refs/remotes/origin/${this.target.branch}`], this.dir, this.target);
      } catch (err) {
        throw classify('fetch', err, this.target);
      }
      const mergeHead = existsSync(path.join(this.dir, '.git', 'MERGE_HEAD'));
      const tip = this.fetchedTip() ?? (await git(['rev-parse', `refs/remotes/origin/${this.target.branch}`], this.dir)).trim();
      if (tip === this.cleanAt && !mergeHead) return tip;
      this.cleanAt = undefined;
      this.written = undefined;
      // A merge or commit left half-done by an earlier pass (a crash, a failed push) is dropped first.
      if (mergeHead) await git(['merge', '--abort'], this.dir).catch(() => undefined);
      // A forced checkout that resets the branch leaves the index and tracked files at the tip; clean removes the rest.
      await git(['checkout', '-q', '-f', '-B', this.target.branch, `origin/${this.target.branch}`], this.dir);
      await git(['clean', '-q', '-fdx'], this.dir);
      this.cleanAt = tip;
      this.written = 0;
      return tip;
    });
  }

  /** The commit the last fetch brought, read from FETCH_HEAD (no process); undefined when that file is not as expected. */
  private fetchedTip(): string | undefined {
    try {
      const first = readFileSync(path.join(this.dir, '.git', 'FETCH_HEAD'), 'utf8').split('\n')[0] ?? '';
      const match = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\t/.exec(first);
      return match && !first.includes('not-for-merge') ? match[1] : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Makes `folder` hold exactly `files`: writes what changed, deletes what is no longer rendered.
   * Nothing outside `folder` is touched (the platform team's own files live there).
   */
  writeFolder(folder: string, files: RenderedFiles): void {
    const changed = this.timedSync('write', () => this.writeFiles(folder, files));
    this.written = this.written === undefined ? undefined : this.written + changed;
    if (changed) this.cleanAt = undefined;
  }

  /** Writes what differs and deletes what is not wanted; returns how many files that was. */
  private writeFiles(folder: string, files: RenderedFiles): number {
    let changed = 0;
    const root = path.join(this.dir, folder);
    const wanted = new Set([...files.keys()]);
    const existing = existsSync(root) ? listFiles(root) : [];
    for (const file of existing)
      if (!wanted.has(file)) {
        rmSync(path.join(root, file));
        changed++;
      }
    for (const [file, text] of files) {
      const full = path.join(root, file);
      if (!path.resolve(full).startsWith(path.resolve(root) + path.sep)) throw new GitError(`refusing to write ${file}: it is outside ${folder}`, false);
      if (existsSync(full) && readFileSync(full, 'utf8') === text) continue;
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
      changed++;
    }
    removeEmptyDirs(root);
    return changed;
  }

  /** Commits everything staged in `folder` if anything changed (or a merge is under way); returns the new commit, or undefined. */
  commit(folder: string, message: string, trailers: Trailers): Promise<string | undefined> {
    return this.timed('commit', async () => {
      const merging = existsSync(path.join(this.dir, '.git', 'MERGE_HEAD'));
      // Nothing written since the working copy was clean: nothing to commit, and no process to ask.
      if (this.written === 0 && !merging) return undefined;
      await git(['add', '-A', '--', folder], this.dir);
      // The index against HEAD only (exit 1 when they differ): no walk of the working tree.
      const staged = await git(['diff', '--cached', '--quiet', '--', folder], this.dir).then(
        () => false,
        () => true,
      );
      if (!staged && !merging) return undefined;
      const lines = (Array.isArray(trailers) ? trailers : Object.entries(trailers)).map(([k, v]) => `${k}: ${v}`);
      const body = [message, '', ...lines].join('\n');
      await git(['-c', `user.name=${this.target.author.name}`, '-c', `user.email=${this.target.author.email}`, 'commit', '-q', '-m', body], this.dir);
      const head = (await git(['rev-parse', 'HEAD'], this.dir)).trim();
      // Only `folder` was written, and all of it is committed: the working copy is that commit's.
      this.cleanAt = head;
      this.written = 0;
      return head;
    });
  }

  /** The newest commit on the synced branch that touched `pathspec`, for telling people who changed what. */
  async lastCommitTouching(pathspec: string | string[]): Promise<{ sha: string; subject: string; author: string } | undefined> {
    const out = (await git(['log', '-1', '--format=%H%x09%an%x09%s', '--', ...(Array.isArray(pathspec) ? pathspec : [pathspec])], this.dir)).trim();
    if (!out) return undefined;
    const [sha, author, ...subject] = out.split('\t');
    return { sha: sha!, author: author!, subject: subject.join('\t') };
  }

  /**
   * The `Portico-Request` trailers of the newest `depth` commits of the synced branch: request id ->
   * the commit that names it. Lets a writer that pushed but could not record it (the database went
   * away) recognise its requests instead of naming them twice.
   */
  async namedRequests(depth = 500): Promise<Map<string, string>> {
    const out = await this.timed('log', () => git(['log', `-${depth}`, '--format=%H %(trailers:key=Portico-Request,valueonly,separator=%x20)'], this.dir));
    const named = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [sha, ...requests] = line.trim().split(/\s+/);
      for (const r of requests) if (sha && r && !named.has(r)) named.set(r, sha);
    }
    return named;
  }

  /** The files below `folder` in the working copy, as the renderers write them. */
  readFolder(folder: string): RenderedFiles {
    const root = path.join(this.dir, folder);
    return this.timedSync('read', () => new Map(existsSync(root) ? listFiles(root).map((f) => [f, readFileSync(path.join(root, f), 'utf8')] as [string, string]) : []));
  }

  /** Fetches another branch of the remote; its tip, or undefined when the remote has no such branch. */
  async fetchBranch(branch: string): Promise<string | undefined> {
    try {
      await git(['fetch', '-q', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], this.dir, this.target);
    } catch (err) {
      if (/couldn't find remote ref/i.test((err as Error).message)) return undefined;
      throw classify(`fetch ${branch}`, err, this.target);
    }
    return (await git(['rev-parse', `refs/remotes/origin/${branch}`], this.dir)).trim();
  }

  /** Whether `commit` is already part of the checked-out branch (a branch merged on the Git host). */
  async contains(commit: string): Promise<boolean> {
    return git(['merge-base', '--is-ancestor', commit, 'HEAD'], this.dir).then(
      () => true,
      () => false,
    );
  }

  /**
   * Starts a merge of `commits` that keeps this branch's tree: the caller then writes the rendered
   * state, which already holds what the merged branches proposed, and commits. History shows the
   * merge; the files are exactly the renderer's, so there is nothing to resolve.
   */
  async startMerge(commits: string[]): Promise<void> {
    if (!commits.length) return;
    this.cleanAt = undefined;
    this.written = undefined;
    await git(['-c', `user.name=${this.target.author.name}`, '-c', `user.email=${this.target.author.email}`, 'merge', '-q', '-s', 'ours', '--no-commit', '--no-ff', ...commits], this.dir);
  }

  /** Pushes the checked-out commit to another branch of the remote, replacing what is there (Portico's own `portico/*` branches). */
  async pushBranch(branch: string): Promise<void> {
    try {
      await git(['push', '-q', '--force', 'origin', `HEAD:refs/heads/${branch}`], this.dir, this.target);
    } catch (err) {
      throw classify(`push ${branch}`, err, this.target);
    }
  }

  /** Deletes a branch of the remote; a branch that is already gone is fine. */
  async deleteBranch(branch: string): Promise<void> {
    try {
      await git(['push', '-q', 'origin', '--delete', `refs/heads/${branch}`], this.dir, this.target);
    } catch (err) {
      if (/remote ref does not exist|unable to delete .*: remote ref/i.test((err as Error).message)) return;
      throw classify(`delete ${branch}`, err, this.target);
    }
  }

  /** The remote's branches below `prefix` (e.g. `portico/`), with their tips. */
  async remoteBranches(prefix: string): Promise<Map<string, string>> {
    let out: string;
    try {
      out = await git(['ls-remote', '--heads', 'origin', `refs/heads/${prefix}*`], this.dir, this.target);
    } catch (err) {
      throw classify('list branches', err, this.target);
    }
    return new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [sha, ref] = line.split('\t');
          return [ref!.replace('refs/heads/', ''), sha!] as [string, string];
        }),
    );
  }

  /** Pushes the branch; a rejection (someone else pushed) is a retryable GitError. */
  push(): Promise<void> {
    return this.timed('push', async () => {
      try {
        await git(['push', '-q', 'origin', `HEAD:refs/heads/${this.target.branch}`], this.dir, this.target);
      } catch (err) {
        throw classify('push', err, this.target);
      }
    });
  }
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = path.join(root, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

function removeEmptyDirs(dir: string): boolean {
  if (!existsSync(dir)) return true;
  let empty = true;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory() && removeEmptyDirs(full)) rmSync(full, { recursive: true });
    else empty = false;
  }
  return empty;
}

/** Commit trailers; a key may repeat (one `Portico-Request` per request a commit carries). */
export type Trailers = Record<string, string> | Array<[string, string]>;

/**
 * The embedded default remote: a bare repository in the data directory, created on first start and
 * seeded with the content repository, so a new user sees grants land next to the API definitions.
 */
export async function ensureLocalRemote(bareDir: string, contentDir: string, branch = 'main'): Promise<string> {
  if (existsSync(path.join(bareDir, 'HEAD'))) return bareDir;
  mkdirSync(bareDir, { recursive: true });
  await git(['init', '-q', '--bare', '-b', branch], bareDir);
  const seed = `${bareDir}.seed-${process.pid}`;
  rmSync(seed, { recursive: true, force: true });
  cpSync(contentDir, seed, { recursive: true });
  await git(['init', '-q', '-b', branch], seed);
  await git(['add', '-A'], seed);
  await git(['-c', 'user.name=Portico', '-c', 'user.email=portico@localhost', 'commit', '-q', '-m', 'Seed from the demo content'], seed);
  await git(['push', '-q', bareDir, `HEAD:refs/heads/${branch}`], seed);
  rmSync(seed, { recursive: true, force: true });
  return bareDir;
}
