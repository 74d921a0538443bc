import type { Catalog, CatalogKey, Limit } from '../catalog/model.ts';

/** Who an entry is for: everyone, or the members of one group. */
export type Audience = 'everyone' | `group:${string}`;

/** One cell of the access matrix: an audience sees an API through a catalog item, on a plan. */
export interface AccessEntry {
  audience: Audience;
  api: CatalogKey;
  item: CatalogKey;
  plan?: CatalogKey;
  /** Operation sets the item's filter keeps; empty means every operation. */
  operationSets: string[];
  /** `METHOD path` of the operations the audience sees (newest version). */
  operations: string[];
}

/** One application's right to call an API: a subscription, with its plan and filter. */
export interface GrantEntry {
  appId: string;
  api: CatalogKey;
  subscription: CatalogKey;
  plan: CatalogKey;
  operationSets: string[];
}

/** The effective access of a catalog: who sees what (catalog items) and who may call what (subscriptions). */
export interface AccessMatrix {
  visibility: AccessEntry[];
  grants: GrantEntry[];
  plans: Map<CatalogKey, { title: string; rateLimit?: Limit; quota?: Limit }>;
}

const opLabel = (o: { method: string; path: string }) => `${o.method.toUpperCase()} ${o.path}`;

/** Computes the access matrix from the catalog's items, bundles, plans, operation filters and subscriptions. */
export function computeAccessMatrix(catalog: Catalog): AccessMatrix {
  const apis = new Map(catalog.apis.map((a) => [a.key, a]));
  const visibility: AccessEntry[] = [];
  for (const item of catalog.items) {
    const audiences: Audience[] = item.visibility.everyone ? ['everyone'] : item.visibility.groups.map((g) => `group:${g}` as const);
    for (const key of item.apis) {
      const newest = apis.get(key)?.versions[0];
      const ops = (newest?.operations ?? []).filter((o) => item.operationFilter.length === 0 || o.operationSets.some((s) => item.operationFilter.includes(s)));
      for (const audience of audiences) {
        visibility.push({ audience, api: key, item: item.key, plan: item.plan, operationSets: item.operationFilter, operations: ops.map(opLabel) });
      }
    }
  }
  const grants: GrantEntry[] = [];
  for (const sub of catalog.subscriptions) {
    const keys = new Set([...sub.apis, ...catalog.bundles.filter((b) => sub.bundles.includes(b.key)).flatMap((b) => b.apis)]);
    for (const appId of sub.appIds) for (const api of keys) grants.push({ appId, api, subscription: sub.key, plan: sub.plan, operationSets: sub.operationFilter });
  }
  const plans = new Map(catalog.plans.map((p) => [p.key, { title: p.title, rateLimit: p.rateLimit, quota: p.quota }]));
  return { visibility, grants, plans };
}
