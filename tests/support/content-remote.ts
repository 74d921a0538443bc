import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalRemote } from '../../src/lib/gitops/git.ts';
import { gitIn } from './git-history.ts';

/** A platform team's repository: a bare remote seeded with `content`, and a clone of it to push changes from. */
export interface ContentRemote {
  /** The bare repository (what PORTICO_GIT_URL names). */
  url: string;
  /** A working clone, checked out on main. */
  clone: string;
  /** The commit on main now. */
  head(): string;
  /**
   * Commits what `change` does in the clone (after taking the remote's newest commits, such as the
   * portal's grants) and pushes it; returns the new commit.
   */
  push(message: string, change: (dir: string) => void): string;
}

export async function contentRemote(work: string, content: string): Promise<ContentRemote> {
  mkdirSync(work, { recursive: true });
  const url = await ensureLocalRemote(path.join(work, 'remote.git'), content);
  const clone = path.join(work, 'clone');
  gitIn(work, 'clone', '-q', '-b', 'main', url, clone);
  const git = (...args: string[]) => gitIn(clone, '-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', ...args);
  return {
    url,
    clone,
    head: () => gitIn(url, 'rev-parse', 'main').trim(),
    push: (message, change) => {
      git('pull', '-q', '--rebase', 'origin', 'main');
      change(clone);
      git('add', '-A');
      git('commit', '-q', '-m', message);
      git('push', '-q', 'origin', 'HEAD:main');
      return git('rev-parse', 'HEAD').trim();
    },
  };
}
