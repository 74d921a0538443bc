import type { Catalog, CatalogKey, Limit } from '../catalog/model.ts';
import { describeLimit } from '../catalog/summary.ts';
import { computeAccessMatrix, type AccessMatrix, type Audience } from './access.ts';
import { compareVersions, type OperationChange } from './breaking.ts';

/** What changed for people between two revisions of the content repository. */
export interface ImpactReport {
  base: string;
  head: string;
  apis: { added: CatalogKey[]; removed: CatalogKey[] };
  /** An audience (everyone or a group) that can newly see, or can no longer see, an API. */
  visibility: Array<{ api: CatalogKey; audience: Audience; change: 'visible' | 'hidden'; items: CatalogKey[] }>;
  /** An API whose catalog items changed, e.g. moved from one item to another. */
  itemMoves: Array<{ api: CatalogKey; from: CatalogKey[]; to: CatalogKey[] }>;
  /** A plan whose limits changed, and who that touches. */
  plans: Array<{ plan: CatalogKey; change: 'added' | 'removed' | 'limits'; before?: string; after?: string; items: CatalogKey[]; subscriptions: CatalogKey[]; applications: string[] }>;
  /** Applications whose access through subscriptions changed. */
  grants: Array<{ appId: string; api: CatalogKey; change: 'granted' | 'revoked' | 'plan'; before?: CatalogKey; after?: CatalogKey }>;
  operations: Array<{ api: CatalogKey; version: string } & OperationChange>;
  deprecated: Array<{ api: CatalogKey; version: string; release: string }>;
  /** Catalog errors at head that were not at base: the PR breaks the content. */
  newErrors: number;
  breaking: boolean;
}

const limits = (p?: { rateLimit?: Limit; quota?: Limit }) =>
  p ? [p.rateLimit && `rate limit ${describeLimit(p.rateLimit)}`, p.quota && `quota ${describeLimit(p.quota)}`].filter(Boolean).join(', ') || 'no limits' : undefined;

function visibleTo(m: AccessMatrix): Map<string, CatalogKey[]> {
  const out = new Map<string, CatalogKey[]>();
  for (const e of m.visibility) {
    const k = `${e.api}\u0000${e.audience}`;
    out.set(k, [...(out.get(k) ?? []), e.item]);
  }
  return out;
}

/** Compares two catalogs (base and head of a pull request) by their effective access, not their YAML. */
export function computeImpact(base: Catalog, head: Catalog, labels: { base: string; head: string }): ImpactReport {
  const m0 = computeAccessMatrix(base);
  const m1 = computeAccessMatrix(head);
  const apis0 = new Map(base.apis.map((a) => [a.key, a]));
  const apis1 = new Map(head.apis.map((a) => [a.key, a]));

  const v0 = visibleTo(m0);
  const v1 = visibleTo(m1);
  const visibility: ImpactReport['visibility'] = [];
  for (const [k, items] of v1)
    if (!v0.has(k)) {
      const [api, audience] = k.split('\u0000') as [string, Audience];
      visibility.push({ api, audience, change: 'visible', items });
    }
  for (const [k, items] of v0)
    if (!v1.has(k)) {
      const [api, audience] = k.split('\u0000') as [string, Audience];
      visibility.push({ api, audience, change: 'hidden', items });
    }

  const itemsOf = (c: Catalog, api: CatalogKey) =>
    c.items
      .filter((i) => i.apis.includes(api))
      .map((i) => i.key)
      .sort();
  const itemMoves: ImpactReport['itemMoves'] = [];
  for (const api of new Set([...apis0.keys()].filter((k) => apis1.has(k)))) {
    const from = itemsOf(base, api);
    const to = itemsOf(head, api);
    if (from.join() !== to.join()) itemMoves.push({ api, from, to });
  }

  const plans: ImpactReport['plans'] = [];
  for (const key of new Set([...m0.plans.keys(), ...m1.plans.keys()])) {
    const before = limits(m0.plans.get(key));
    const after = limits(m1.plans.get(key));
    if (before === after) continue;
    const items = [...new Set([...base.items, ...head.items].filter((i) => i.plan === key).map((i) => i.key))].sort();
    const subs = [...base.subscriptions, ...head.subscriptions].filter((s) => s.plan === key);
    plans.push({
      plan: key,
      change: before === undefined ? 'added' : after === undefined ? 'removed' : 'limits',
      before,
      after,
      items,
      subscriptions: [...new Set(subs.map((s) => s.key))].sort(),
      applications: [...new Set(subs.flatMap((s) => s.appIds))].sort(),
    });
  }

  const grantKey = (g: { appId: string; api: string }) => `${g.appId}\u0000${g.api}`;
  const g0 = new Map(m0.grants.map((g) => [grantKey(g), g]));
  const g1 = new Map(m1.grants.map((g) => [grantKey(g), g]));
  const grants: ImpactReport['grants'] = [];
  for (const [k, g] of g1) {
    const old = g0.get(k);
    if (!old) grants.push({ appId: g.appId, api: g.api, change: 'granted', after: g.plan });
    else if (old.plan !== g.plan) grants.push({ appId: g.appId, api: g.api, change: 'plan', before: old.plan, after: g.plan });
  }
  for (const [k, g] of g0) if (!g1.has(k)) grants.push({ appId: g.appId, api: g.api, change: 'revoked', before: g.plan });

  const operations: ImpactReport['operations'] = [];
  const deprecated: ImpactReport['deprecated'] = [];
  for (const [key, a1] of apis1) {
    const a0 = apis0.get(key);
    if (!a0) continue;
    for (const ver1 of a1.versions) {
      const ver0 = a0.versions.find((v) => v.name === ver1.name);
      if (!ver0) continue;
      if (ver1.deprecated && !ver0.deprecated) deprecated.push({ api: key, version: ver1.name, release: ver1.release });
      for (const change of compareVersions(ver0, ver1)) operations.push({ api: key, version: ver1.name, ...change });
    }
  }

  const errors = (c: Catalog) => new Set(c.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file} ${d.rule} ${d.message}`));
  const e0 = errors(base);
  const newErrors = [...errors(head)].filter((e) => !e0.has(e)).length;
  const removedApis = [...apis0.keys()].filter((k) => !apis1.has(k));
  return {
    base: labels.base,
    head: labels.head,
    apis: { added: [...apis1.keys()].filter((k) => !apis0.has(k)), removed: removedApis },
    visibility: visibility.sort((a, b) => a.api.localeCompare(b.api) || a.audience.localeCompare(b.audience)),
    itemMoves,
    plans,
    grants: grants.sort((a, b) => a.appId.localeCompare(b.appId) || a.api.localeCompare(b.api)),
    operations,
    deprecated,
    newErrors,
    breaking: removedApis.length > 0 || operations.some((o) => o.breaking) || visibility.some((v) => v.change === 'hidden') || grants.some((g) => g.change === 'revoked'),
  };
}
