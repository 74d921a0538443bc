import { loadCatalog } from '../catalog/load.ts';
import { publishedCatalog } from '../catalog/published.ts';
import type { Catalog, CatalogItem } from '../catalog/model.ts';
import { choosePortal } from '../catalog/visibility.ts';
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

/** Catalog items a person may see: those for everyone, and those for one of their groups. */
export function itemsVisibleTo(items: CatalogItem[], groups: string[]): CatalogItem[] {
  return items.filter((i) => i.visibility.everyone || i.visibility.groups.some((g) => groups.includes(g)));
}

/**
 * The docs a member sees beyond the public site: the same portal, with the catalog items of their
 * groups added. Undefined when their groups add nothing (the public pages are all they get).
 */
export function memberDocsSite(cat: Catalog, groups: string[]): DocsSite | undefined {
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

function buildMemberSite(cat: Catalog, groups: string[]): DocsSite | undefined {
  const portal = choosePortal(cat.portals, cat.items);
  const items = itemsVisibleTo(cat.items, groups).filter((i) => !portal || i.id.namespace === portal.id.namespace);
  if (!items.some((i) => !i.visibility.everyone)) return undefined;
  return buildDocsSite(cat, { items, portalKey: portal?.key });
}

/** Is this API shown to everyone (and so in the static build)? */
export function isPublicApi(cat: Catalog, apiKey: string): boolean {
  const portal = choosePortal(cat.portals, cat.items);
  return cat.items.some((i) => i.visibility.everyone && (!portal || i.id.namespace === portal.id.namespace) && i.apis.includes(apiKey));
}
