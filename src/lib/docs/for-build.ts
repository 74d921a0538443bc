import { catalogForBuild } from '../catalog/build-catalog.ts';
import { repositoryLinksOf } from './guide-links.ts';
import { planApiPages } from './page-cache.ts';
import { buildDocsSite, type DocsApi, type DocsSite } from './site.ts';

let pending: Promise<DocsSite> | undefined;

/** The public docs site of this build, computed once for every route. Build-time data, never per-request state. */
export function docsForBuild(): Promise<DocsSite> {
  pending ??= catalogForBuild().then((catalog) => ({ ...buildDocsSite(catalog), repository: repositoryLinksOf(catalog.root) }));
  return pending;
}

let planned: Promise<DocsApi[]> | undefined;

/**
 * The APIs whose pages this build renders: all of them, or, when the build has a page cache
 * (set up by astro.config.mjs), only those whose inputs changed since the last build.
 */
export function apisToRender(): Promise<DocsApi[]> {
  planned ??= docsForBuild().then((site) => {
    const { PORTICO_PAGE_CACHE_DIR: cacheDir, PORTICO_RENDERER_FINGERPRINT: fingerprint, PORTICO_BUILD_ID: buildId } = process.env;
    if (!cacheDir || !fingerprint || !buildId) return site.apis;
    return planApiPages(site, cacheDir, fingerprint, buildId).toRender;
  });
  return planned;
}
