import type { Catalog, CatalogApi, CatalogItem, CatalogPortal } from './model.ts';

/**
 * Who looks at the portal: someone not signed in (the static site is built for them), or a person
 * with their groups; and the portal they look through, whose namespace's catalog items are the only
 * ones it shows (one APIPortal per namespace; none in the catalog shows every namespace).
 */
export interface Viewer {
  /** The person's groups; undefined for someone not signed in. */
  groups?: readonly string[];
  portal?: CatalogPortal;
}

/**
 * Who may see this catalog item, in one rule (issue 16): an item of the viewer's portal's namespace
 * that is shown to everyone, or to one of the viewer's groups.
 */
export function isVisibleTo(item: CatalogItem, viewer: Viewer): boolean {
  if (viewer.portal && item.id.namespace !== viewer.portal.id.namespace) return false;
  if (item.visibility.everyone) return true;
  const groups = viewer.groups ?? [];
  return item.visibility.groups.some((g) => groups.includes(g));
}

/** The viewer a portal serves: someone not signed in (no groups), or a person with these groups. */
export function viewerOf(catalog: Pick<Catalog, 'portals' | 'items'>, groups?: readonly string[], portalKey?: string): Viewer {
  return { groups, portal: choosePortal(catalog.portals, catalog.items, portalKey) };
}

/** The catalog items this viewer may see. */
export function itemsVisibleTo(items: CatalogItem[], viewer: Viewer): CatalogItem[] {
  return items.filter((i) => isVisibleTo(i, viewer));
}

/**
 * The portal a public build shows: the one named, else the first (by namespace/name) whose
 * namespace offers something to everyone, else the first.
 */
export function choosePortal(portals: CatalogPortal[], items: CatalogItem[], portalKey?: string): CatalogPortal | undefined {
  const sorted = [...portals].sort((a, b) => a.key.localeCompare(b.key));
  if (portalKey) return sorted.find((p) => p.key === portalKey);
  return sorted.find((portal) => items.some((i) => isVisibleTo(i, { portal }))) ?? sorted[0];
}

/**
 * What the public (static) build may show: APIs that a catalog item visible to someone not signed
 * in shows. Group-restricted APIs never reach the static output.
 */
export function publicCatalog(apis: CatalogApi[], items: CatalogItem[], portals: CatalogPortal[], portalKey?: string) {
  const viewer = viewerOf({ portals, items }, undefined, portalKey);
  const publicKeys = new Set(itemsVisibleTo(items, viewer).flatMap((i) => i.apis));
  return { portal: viewer.portal, apis: apis.filter((a) => publicKeys.has(a.key)) };
}
