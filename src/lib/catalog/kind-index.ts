import type { CatalogKey } from './model.ts';
import type { Resource } from './resources.ts';

/** The API groups of the CRDs Portico reads: Traefik Hub and the Tyk Operator. */
export const HUB = 'hub.traefik.io';
export const TYK = 'tyk.tyk.io';

/** The scanned resources by `group/kind`, so each reader takes the kinds it reads. */
export type KindIndex = Map<string, Resource[]>;

/** Indexes resources by `group/kind`. */
export function indexResources(resources: Resource[]): KindIndex {
  const index: KindIndex = new Map();
  for (const r of resources) {
    const k = `${r.id.group}/${r.id.kind}`;
    if (!index.has(k)) index.set(k, []);
    index.get(k)!.push(r);
  }
  return index;
}

/** The resources of one kind, in scan order. */
export function ofKind(index: KindIndex, group: string, kind: string): Resource[] {
  return index.get(`${group}/${kind}`) ?? [];
}

/** A catalog key: `namespace/name`, the identity of a resource within its kind. */
export function keyOf(namespace: string, name: string): CatalogKey {
  return `${namespace}/${name}`;
}

/** Is this a Traefik API in the shape used before March 2024 (spec.pathPrefix / spec.service)? */
export function isLegacyHubApi(r: Resource): boolean {
  return r.id.group === HUB && r.id.kind === 'API' && (r.spec.pathPrefix !== undefined || r.spec.service !== undefined);
}
