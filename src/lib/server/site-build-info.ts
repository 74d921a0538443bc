import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a built site says about its own making, in `portico-build.json` beside `client/` and `server/`. */
export interface SiteBuildInfo {
  /** A hash of every file of the content the site was built from (see contentFingerprint). */
  contentFingerprint: string;
  /** Portico's code and the build settings, hashed (see siteInputs); sites built before it was kept have none. */
  inputs?: string;
  /** The spec URLs the build fetched: their documents may change without a commit. */
  specUrls?: string[];
  /** The commit of the followed branch it was built from, when a follower built it. */
  commit?: string;
  builtAt: string;
}

export const BUILD_INFO_FILE = 'portico-build.json';

/**
 * A hash of the content folder as the docs build reads it: every file's path and bytes, `.git` and
 * the folders in `exclude` left out (the folder Portico commits grants to: a grant changes no page).
 * Two folders with the same fingerprint build the same site, so a follower that sees a new commit
 * with an unchanged fingerprint has nothing to build.
 */
export function contentFingerprint(dir: string, exclude: string[] = []): string {
  const hash = createHash('sha256');
  const skipped = new Set(exclude.map((x) => x.replace(/^\.\/|\/+$/g, '')).filter((x) => x && x !== '.'));
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === '.git' || skipped.has(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        const bytes = readFileSync(path.join(dir, child));
        hash.update(`${child}\0${bytes.length}\0`).update(bytes);
      } else if (entry.isSymbolicLink()) {
        hash.update(`${child}\0link\0${lstatSync(path.join(dir, child)).size}`);
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

export function writeBuildInfo(siteDir: string, info: SiteBuildInfo): void {
  writeFileSync(path.join(siteDir, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

/** The build info of a site, or undefined for a site built before Portico wrote one. */
export function readBuildInfo(siteDir: string): SiteBuildInfo | undefined {
  const file = path.join(siteDir, BUILD_INFO_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as SiteBuildInfo;
    return typeof info.contentFingerprint === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A hash of the files at `paths` (folders walked in name order) below `root`, by path and bytes;
 * a path that does not exist is left out. What Portico's own code is, for the page cache and for
 * reusing a whole site (src/lib/docs/page-cache.ts, src/lib/server/site-reuse.ts).
 */
export function filesFingerprint(root: string, paths: string[]): string {
  const hash = createHash('sha256');
  const visit = (rel: string) => {
    const full = path.join(root, rel);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) visit(path.join(rel, name));
      return;
    }
    const bytes = readFileSync(full);
    hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  };
  for (const p of paths) visit(p);
  return hash.digest('hex');
}
