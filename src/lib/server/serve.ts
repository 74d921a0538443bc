import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PorticoError } from '../errors.ts';
import { baseSecurityHeaders, PAGE_CSP_FILE, pageCsp, SCRIPT_FILE_CSP } from '../http/security-headers.ts';
import { cacheControlOfStatic, contentTypeOfStatic, listStaticPaths } from './static-cache.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** One built portal, loaded: the adapter's handler and what the wrapper needs to know of its files. */
interface LoadedSite {
  dir: string;
  handler: NodeHandler;
  pages: Map<string, string[]>;
  staticPaths: Set<string>;
}

/** A route the serving process answers itself, before the built portal (the docs webhook). */
export type ProcessRoute = (req: IncomingMessage, res: ServerResponse) => void;

/** The running server, and the way to switch it to another built site. */
export interface ServedPortal {
  server: http.Server;
  /** The folder of the site being served. */
  siteDir(): string;
  /**
   * Loads the site built in `dir` and serves it from the next request on; requests already
   * started finish on the site before. Hashed files of the site before (`/_astro/`, `/pagefind/`)
   * stay served, so a page opened before the switch still gets its styles, scripts and search.
   */
  switchTo(dir: string): Promise<void>;
}

/** Prefixes of files whose names change with their content: safe to serve from the site before. */
const HASHED_PREFIXES = ['/_astro/', '/pagefind/'];

/** Loads a built portal: imports its server (a new copy for a new folder) and lists its static files. */
async function loadSite(siteDir: string): Promise<LoadedSite> {
  const entry = path.join(siteDir, 'server', 'entry.mjs');
  if (!existsSync(entry))
    throw new PorticoError(
      `there is no built portal in ${siteDir} (no server/entry.mjs)`,
      "build it first: `npx portico start` builds and serves; a build for `serve` is its data directory's site/ folder",
    );
  // The adapter would start its own server on import; this one is started here instead.
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: NodeHandler };
  return { dir: siteDir, handler, pages: readPageHashes(siteDir), staticPaths: listStaticPaths(path.join(siteDir, 'client')) };
}

/**
 * Serves a built portal (the output of the docs build: `client/`, `server/entry.mjs`) on
 * `host:port`, with the security headers on every answer. The adapter's own handler serves the
 * static files and the server routes; this wrapper is the one place that sees both, so static pages
 * get their headers too. Resolves once the port is listening.
 */
export async function serveBuiltSite(siteDir: string, options: { host: string; port: number; publicUrl: string; routes?: Record<string, ProcessRoute> }): Promise<ServedPortal> {
  let current = await loadSite(siteDir);
  let before: LoadedSite | undefined;
  const base = baseSecurityHeaders(options.publicUrl);
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(base)) res.setHeader(name, value);
    const pathname = staticPathOf(req.url);
    const route = options.routes?.[`${req.method} ${pathname}`];
    if (route) return route(req, res);
    // The site is chosen once per request: a switch during it changes nothing for it.
    let site = current;
    if (before && !site.staticPaths.has(pathname) && before.staticPaths.has(pathname) && HASHED_PREFIXES.some((p) => pathname.startsWith(p))) site = before;
    const { pages, staticPaths, handler } = site;
    // A static page's own policy; anything the server renders sets its own (src/middleware.ts),
    // which takes precedence over these defaults.
    const hashes = pages.get(pathname);
    if (hashes && (req.method === 'GET' || req.method === 'HEAD')) res.setHeader('content-security-policy', pageCsp(hashes));
    else if (!hashes) {
      // A script file's own policy matters where it runs as a worker (Pagefind's search worker
      // fetches its index under it); a missing one answered with the 404 page gets that page's.
      if (/\.m?js$/.test(pathname)) res.setHeader('content-security-policy', SCRIPT_FILE_CSP);
      withErrorPagePolicy(res, pages);
    }
    // For a CDN in front: static files get a policy by name (the adapter's file server keeps a
    // Cache-Control already set, and adds ETag and Last-Modified, answering 304 to a request that
    // has them). What the server renders sets its own, private where it is per person.
    if (staticPaths.has(pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.setHeader('cache-control', cacheControlOfStatic(pathname));
      // The file server keeps a type already set (send's type()): Markdown twins say so, in UTF-8.
      const type = contentTypeOfStatic(pathname);
      if (type) res.setHeader('content-type', type);
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PorticoError(
          err.code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use` : `cannot listen on ${options.host}:${options.port}: ${err.message}`,
          'stop the other process, or choose another port with PORT=...',
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    siteDir: () => current.dir,
    switchTo: async (dir) => {
      const next = await loadSite(dir);
      before = current;
      current = next;
    },
  };
}

/**
 * Astro answers an address with no page with the built 404 page (and a failed page with the 500
 * one): that page gets its own policy, so its styles and scripts load, unless the server already
 * set one (the middleware does for every page it renders).
 */
function withErrorPagePolicy(res: ServerResponse, pages: Map<string, string[]>): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((x): x is OutgoingHttpHeaders => x !== null && typeof x === 'object' && !Array.isArray(x));
    const type = String(headers?.['content-type'] ?? res.getHeader('content-type') ?? '');
    const hashes = pages.get(`/${status}.html`);
    if (hashes && type.startsWith('text/html') && headers?.['content-security-policy'] === undefined) res.setHeader('content-security-policy', pageCsp(hashes));
    return writeHead(status, ...rest);
  }) as typeof res.writeHead;
}

/** The URL path of a request, without its query, as the page map keys it. */
function staticPathOf(url: string | undefined): string {
  const pathname = (url ?? '/').split(/[?#]/, 1)[0]!;
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}

/** The script hashes of every static page of the build (written by the build, see astro.config.mjs). */
function readPageHashes(siteDir: string): Map<string, string[]> {
  const file = path.join(siteDir, PAGE_CSP_FILE);
  if (!existsSync(file)) return new Map();
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>));
}
