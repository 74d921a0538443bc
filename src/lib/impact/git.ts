import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PorticoError } from '../errors.ts';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    // Node reports a missing working directory as a missing program: say which one it is.
    if (e.code === 'ENOENT') {
      throw new PorticoError(
        existsSync(cwd) ? 'git is not installed (or not on the PATH)' : `the folder ${cwd} does not exist`,
        existsSync(cwd) ? 'install git (apt-get install git)' : 'run the command in your repository, or give --root',
      );
    }
    throw new PorticoError(`git ${args[0]} failed: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
}

/** Where a content root sits in its Git repository: the repository's top level and the root's path inside it. */
export async function locateInRepository(dir: string): Promise<{ top: string; subdir: string }> {
  const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
  const subdir = path.relative(top, path.resolve(dir)).split(path.sep).join('/');
  return { top, subdir };
}

/** Splits `base..head` (or `base...head`, read as the merge base) into two revisions; `head` defaults to HEAD. */
export function parseRange(range: string): { base: string; head: string; mergeBase: boolean } {
  const m = /^(.+?)(\.\.\.?)(.*)$/.exec(range);
  if (!m) throw new PorticoError(`"${range}" is not a revision range`, 'write it as <base>..<head>, e.g. origin/main..HEAD');
  return { base: m[1]!, head: m[3] || 'HEAD', mergeBase: m[2] === '...' };
}

/**
 * Writes the tree of `revision` (only `subdir`) into a new temporary directory, with `git archive`, so the
 * checkout the user works in is never touched. Returns the content root inside it and a cleanup function.
 */
export async function exportRevision(top: string, revision: string, subdir: string): Promise<{ root: string; commit: string; dispose: () => void }> {
  const commit = (await git(top, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`])).trim();
  const dest = mkdtempSync(path.join(tmpdir(), 'portico-impact-'));
  const archive = path.join(dest, '.revision.tar');
  await git(top, ['archive', '--format=tar', `--output=${archive}`, commit, '--', subdir || '.']).catch((err) => {
    // A content folder that does not exist at this revision is an empty catalog, not an error.
    if (!/did not match any files/.test(String((err as Error).message))) throw err;
  });
  try {
    await run('tar', ['-xf', archive, '-C', dest]);
  } catch {
    /* no archive written: the folder did not exist at this revision */
  }
  rmSync(archive, { force: true });
  return { root: path.join(dest, subdir), commit, dispose: () => rmSync(dest, { recursive: true, force: true }) };
}

/** The merge base of two revisions, for `base...head`. */
export async function mergeBase(top: string, a: string, b: string): Promise<string> {
  return (await git(top, ['merge-base', a, b])).trim();
}
