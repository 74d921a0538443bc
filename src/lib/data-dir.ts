import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The umask of a running portal: nothing it writes is readable by group or others. The data
 * directory holds the database (sessions, key hashes, accounts), the demo age key and the Git
 * working copy; other users of the machine have no business reading any of it.
 */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes the data directory private before the portal writes to it: the directory is 0700, and the
 * process umask becomes 077, so every file that Portico and its child processes (PGlite, git, the
 * Astro build, HAProxy) create is 0600 and every directory 0700. What an earlier run left there
 * with wider permissions is tightened too.
 */
export function protectDataDir(dir: string): void {
  process.umask(PRIVATE_UMASK);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrictToOwner(dir);
}

/**
 * Removes group and other permissions from `dir` and everything below it, for files whose mode was
 * set explicitly, which the umask does not cover: a copy keeps its source's mode (libuv's copyfile
 * sets it), so what the build copies from the project (public/, the consoles' bundles) is 0644, and
 * PGlite unpacks its first cluster with chmod 0666 (what Postgres creates later honours the umask).
 * Run once the portal is ready. Symbolic links are not followed: the data directory links to the
 * project's node_modules, which is not Portico's to change.
 */
export function restrictToOwner(dir: string): void {
  const todo = [dir];
  while (todo.length > 0) {
    const current = todo.pop()!;
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      continue; // removed meanwhile (a build's temporary files): nothing left to protect
    }
    if (stat.isSymbolicLink()) continue;
    if ((stat.mode & 0o077) !== 0) chmodSync(current, stat.mode & 0o700);
    if (stat.isDirectory()) for (const name of readdirSync(current)) todo.push(path.join(current, name));
  }
}
