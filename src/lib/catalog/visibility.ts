import type { CatalogApi, CatalogItem, CatalogPortal } from './model.ts';

/**
 * The portal a public build shows: the one named, else the first (by namespace/name) whose
 * namespace offers something to everyone, else the first.
 */
export function choosePortal(portals: CatalogPortal[], items: CatalogItem[], portalKey?: string): CatalogPortal | undefined {
  const sorted = [...portals].sort((a, b) => a.key.localeCompare(b.key));
  if (portalKey) return sorted.find((p) => p.key === portalKey);
  const hasPublic = (p: CatalogPortal) => items.some((i) => i.id.namespace === p.id.namespace && i.visibility.everyone);
  return sorted.find(hasPublic) ?? sorted[0];
}

/**
 * What the public (static) build may show: APIs that a catalog item in the portal's namespace
 * shows to everyone. Group-restricted APIs never reach the static output.
 */
export function publicCatalog(apis: CatalogApi[], items: CatalogItem[], portals: CatalogPortal[], portalKey?: string) {
  const portal = choosePortal(portals, items, portalKey);
  const namespace = portal?.id.namespace;
  const publicKeys = new Set(items.filter((i) => i.visibility.everyone && (!namespace || i.id.namespace === namespace)).flatMap((i) => i.apis));
  return { portal, apis: apis.filter((a) => publicKeys.has(a.key)) };
}
