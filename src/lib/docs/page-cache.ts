import { createHash } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { filesFingerprint } from '../server/site-build-info.ts';
import type { DocsApi, DocsSite } from './site.ts';

/**
 * Incremental builds, at the level of one API: every page of an API lives under `/apis/<slug>/`
 * and depends only on that API (its catalog data, its specs' content hashes, its plans, bundles
 * and guides), the portal's title and logo, and the renderer's code. When none of that changed
 * since the last build, its pages are copied from the page cache instead of being rendered.
 */

/** What this build decided for each API: render it, or reuse the cached pages. */
export interface PagePlan {
  buildId: string;
  apis: Record<string, { key: string; render: boolean }>;
}

/** Hash of the renderer's code: a change to any component, page, style or docs module re-renders everything. */
export function rendererFingerprint(projectRoot: string): string {
  const dirs = ['src/components', 'src/layouts', 'src/lib/docs', 'src/lib/catalog', 'src/lib/relay', 'src/pages/apis', 'src/styles', 'src/client'];
  return filesFingerprint(projectRoot, [...dirs, 'package-lock.json', 'astro.config.mjs']);
}

/** The inputs of an API's pages, hashed; the OpenAPI documents stand in by their content hash. */
export function apiPagesKey(site: DocsSite, api: DocsApi, fingerprint: string): string {
  const seen = new WeakSet<object>();
  const json = JSON.stringify(
    {
      fingerprint,
      portal: { title: site.portal?.title, logoUrl: site.portal?.logoUrl },
      guides: site.guides.filter((g) => g.parent?.kind === 'API' && g.parent.key === api.api.key),
      api,
      operationSlugs: api.versions.map((v) => [...v.operationSlugs.values()]),
    },
    (key, value) => {
      if (key === 'document' && value && typeof value === 'object') return undefined; // covered by spec.contentHash
      if (value instanceof Map) return [...value.values()].map(String);
      if (value && typeof value === 'object') {
        if (seen.has(value)) return undefined; // shared objects (schemas referenced twice) are hashed once
        seen.add(value);
      }
      return value;
    },
  );
  return createHash('sha256').update(json).digest('hex');
}

function cacheEntry(cacheDir: string, slug: string) {
  return { dir: path.join(cacheDir, slug), key: path.join(cacheDir, slug, 'key'), files: path.join(cacheDir, slug, 'files') };
}

/** Decides which APIs this build renders, and records it for `finishApiPages`. */
export function planApiPages(site: DocsSite, cacheDir: string, fingerprint: string, buildId: string): { plan: PagePlan; toRender: DocsApi[] } {
  const plan: PagePlan = { buildId, apis: {} };
  const toRender: DocsApi[] = [];
  for (const api of site.apis) {
    const key = apiPagesKey(site, api, fingerprint);
    const entry = cacheEntry(cacheDir, api.slug);
    const cachedKey = existsSync(entry.key) ? readFileSync(entry.key, 'utf8') : undefined;
    const render = cachedKey !== key || !existsSync(entry.files);
    plan.apis[api.slug] = { key, render };
    if (render) toRender.push(api);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path.join(cacheDir, 'plan.json'), JSON.stringify(plan));
  return { plan, toRender };
}

/**
 * After the pages are written: keeps the pages of the APIs rendered now, and puts back the pages of
 * the APIs that were not. Runs before the search index is built, so the index covers every page.
 */
export function finishApiPages(clientDir: string, cacheDir: string, buildId: string): { rendered: string[]; reused: string[] } | undefined {
  const planFile = path.join(cacheDir, 'plan.json');
  if (!existsSync(planFile)) return undefined;
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PagePlan;
  if (plan.buildId !== buildId) return undefined; // a plan left by another build: decide nothing from it
  const rendered: string[] = [];
  const reused: string[] = [];
  for (const [slug, { key, render }] of Object.entries(plan.apis)) {
    const entry = cacheEntry(cacheDir, slug);
    const out = path.join(clientDir, 'apis', slug);
    if (render) {
      if (!existsSync(out)) continue;
      const tmp = `${entry.dir}.${process.pid}.tmp`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      linkTree(out, path.join(tmp, 'files'));
      writeFileSync(path.join(tmp, 'key'), key);
      rmSync(entry.dir, { recursive: true, force: true });
      renameSync(tmp, entry.dir);
      rendered.push(slug);
    } else {
      linkTree(entry.files, out);
      reused.push(slug);
    }
  }
  rmSync(planFile, { force: true });
  return { rendered, reused };
}

/**
 * Puts the files of `from` at the same places under `to` as hard links: the cache and the site
 * share the pages instead of holding two copies (copying Microsoft Graph beta's 1.3 GB of pages into
 * the cache took 23 s of a cold build, issue 18). Safe because nothing rewrites a page in place:
 * a build empties its output folder (unlinking, so a cached copy stays whole) and writes new files,
 * and a cache entry is replaced, never edited. Copies instead where links cannot be made (another
 * file system).
 */
function linkTree(from: string, to: string): void {
  try {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) linkTree(source, target);
      else {
        rmSync(target, { force: true });
        linkSync(source, target);
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    // What was linked so far goes first: copying onto a link would write into the other copy.
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
}
