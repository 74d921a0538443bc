import { loadCatalog } from '../catalog/load.ts';
import { publishedCatalog } from '../catalog/published.ts';
import type { Catalog } from '../catalog/model.ts';
import { isVisibleTo, viewerOf } from '../catalog/visibility.ts';
import { buildDocsSite, type DocsSite } from '../docs/site.ts';
import { docsState } from './docs-state.ts';
import type { Config } from '../config.ts';

let catalog: Promise<Catalog> | undefined;

/**
 * The catalog, read once per server process (the static pages were built from the same content).
 * Process-wide like the database pool: it holds no request or person.
 */
export function catalogForServer(config: Config): Promise<Catalog> {
  // A portal that follows a branch has switched to a newer site: its catalog is the one it built.
  const switched = docsState().catalog;
  if (switched) return Promise.resolve(switched);
  // The same catalog the static site was built from: failed APIs are left out here too.
  catalog ??= loadCatalog(config.contentDir, { cacheDir: config.cacheDir, offline: true, demoGatewayUrl: config.demoGatewayUrl }).then(publishedCatalog);
  return catalog;
}

/**
 * The docs a member sees beyond the public site: the same portal, with the catalog items of their
 * groups added. Undefined when their groups add nothing (the public pages are all they get).
 */
export function memberDocsSite(cat: Catalog, groups: readonly string[]): DocsSite | undefined {
  // The site depends only on the catalog and the set of groups, not on the person: build it once per set.
  const key = [...new Set(groups)].sort().join('\u0000');
  let sites = memberSites.get(cat);
  if (!sites) memberSites.set(cat, (sites = new Map()));
  if (sites.has(key)) return sites.get(key);
  const site = buildMemberSite(cat, groups);
  if (sites.size >= 256) sites.clear(); // bounded: group sets are few in practice
  sites.set(key, site);
  return site;
}

const memberSites = new WeakMap<Catalog, Map<string, DocsSite | undefined>>();

function buildMemberSite(cat: Catalog, groups: readonly string[]): DocsSite | undefined {
  const member = viewerOf(cat, groups);
  const anonymous = viewerOf(cat);
  // Only items the person sees and someone not signed in does not can add pages to the public site.
  if (!cat.items.some((i) => isVisibleTo(i, member) && !isVisibleTo(i, anonymous))) return undefined;
  return buildDocsSite(cat, member);
}
