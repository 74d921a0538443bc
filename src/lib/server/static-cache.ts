import { readdirSync } from 'node:fs';
import path from 'node:path';

/** For files whose name changes when their content does: a cache may keep them for a year, unasked. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * For every other static file (pages, spec downloads, search entry points): any cache may store
 * it but must ask again before each use, which the ETag and Last-Modified validators make a 304.
 * A new build is then visible at once, behind a CDN too.
 */
export const REVALIDATE = 'public, max-age=0, must-revalidate';

/**
 * Paths whose file names carry a content hash or a pinned version: Astro's bundles, Pagefind's
 * fragments, indexes and metadata (`pagefind.en_<hash>.pf_meta`), and the consoles copied under a
 * versioned folder (`/vendor/scalar-1.72.1/`, src/lib/docs/vendor.ts).
 */
const HASHED = [/^\/_astro\//, /^\/pagefind\/(fragment|index)\//, /^\/pagefind\/[^/]+_[0-9a-f]{6,}\.pf_meta$/, /^\/vendor\/[a-z0-9-]+-\d+\.\d+\.\d+[^/]*\//];

/** The Cache-Control of a static file of the build, by its URL path. */
export function cacheControlOfStatic(pathname: string): string {
  return HASHED.some((pattern) => pattern.test(pathname)) ? IMMUTABLE : REVALIDATE;
}

/** Types the build's own files must carry whatever the file server's type table says: the Markdown twins of operation pages and `/llms.txt`. */
const TYPES: Array<[RegExp, string]> = [
  [/\.md$/, 'text/markdown; charset=utf-8'],
  [/^\/llms\.txt$/, 'text/plain; charset=utf-8'],
];

/** The Content-Type of a static file when the build fixes it, else undefined (the file server decides by extension). */
export function contentTypeOfStatic(pathname: string): string | undefined {
  return TYPES.find(([pattern]) => pattern.test(pathname))?.[1];
}

/**
 * Every URL path the build's static folder answers: each file, and each folder holding an
 * `index.html` with and without its trailing slash (the adapter serves both). Read once at start:
 * a built site never changes under a running server, and a request then costs no file system call.
 */
export function listStaticPaths(clientDir: string): Set<string> {
  const paths = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const urlPath = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), urlPath);
      else if (entry.isFile()) {
        paths.add(urlPath);
        if (entry.name === 'index.html') {
          paths.add(`${prefix}/`);
          if (prefix) paths.add(prefix);
        }
      }
    }
  };
  walk(clientDir, '');
  return paths;
}
