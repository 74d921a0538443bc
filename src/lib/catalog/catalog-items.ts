import { HUB, type KindIndex, keyOf, ofKind, TYK } from './kind-index.ts';
import type { ApprovalMode, CatalogApi, CatalogBundle, CatalogItem, CatalogKey, CatalogPortal, LabelSelector } from './model.ts';
import type { Diagnostic } from './diagnostics.ts';
import { readPlanRef, type RefCheck, resolveNames, selectorMatches } from './references.ts';
import { diagnosticAt, type Resource, sourceOf } from './resources.ts';
import { isVisibleTo } from './visibility.ts';

function selectApis(r: Resource, apis: CatalogApi[]): { keys: CatalogKey[]; selector?: LabelSelector } {
  const selector = r.spec.apiSelector as LabelSelector | undefined;
  if (!selector || typeof selector !== 'object') return { keys: [] };
  const keys = apis.filter((a) => a.id.namespace === r.id.namespace && a.gateway.gateway === 'traefik-hub' && selectorMatches(selector, a.labels)).map((a) => a.key);
  return { keys, selector };
}

/** APIBundles: the APIs they list and the ones their selector picks. */
export function readBundles(index: KindIndex, apis: CatalogApi[], diagnostics: Diagnostic[]): CatalogBundle[] {
  const apiKeys = new Set(apis.map((a) => a.key));
  return ofKind(index, HUB, 'APIBundle').map((r) => {
    const listed = resolveNames(r, r.spec.apis, 'apis', apiKeys, 'API', diagnostics);
    const selected = selectApis(r, apis);
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
      apis: [...new Set([...listed, ...selected.keys])].sort(),
      selector: selected.selector,
      source: sourceOf(r),
    };
  });
}

function readVisibility(r: Resource): CatalogItem['visibility'] {
  if (r.spec.everyone === true) return { everyone: true };
  const groups = Array.isArray(r.spec.groups) ? r.spec.groups.filter((g: unknown): g is string => typeof g === 'string') : [];
  return { everyone: false, groups };
}

/** APICatalogItems, and legacy APIAccess read as the catalog item that replaced it. */
export function readHubCatalogItems(index: KindIndex, apis: CatalogApi[], bundles: CatalogBundle[], refs: RefCheck): CatalogItem[] {
  const items: CatalogItem[] = [];
  // Legacy APIAccess (who sees which APIs, and on which plan) is read as the catalog item that
  // replaced it; with a plan, it is offered as that item would be. Catalog items come first.
  for (const r of [...ofKind(index, HUB, 'APICatalogItem'), ...ofKind(index, HUB, 'APIAccess')]) {
    const listed = resolveNames(r, r.spec.apis, 'apis', refs.apis, 'API', refs.diagnostics);
    const bundleKeys = resolveNames(r, r.spec.apiBundles, 'apiBundles', refs.bundles, 'APIBundle', refs.diagnostics);
    const viaBundles = bundles.filter((b) => bundleKeys.includes(b.key)).flatMap((b) => b.apis);
    const selected = selectApis(r, apis);
    const plan = readPlanRef(r, refs);
    items.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: r.annotations['portico.dev/title'] ?? r.id.name,
      visibility: readVisibility(r),
      apis: [...new Set([...listed, ...viaBundles, ...selected.keys])].sort(),
      bundles: bundleKeys,
      plan,
      operationFilter: Array.isArray(r.spec.operationFilter?.include) ? r.spec.operationFilter.include.filter((x: unknown) => typeof x === 'string') : [],
      selfService: plan !== undefined,
      approval: readApproval(r, refs.diagnostics),
      source: sourceOf(r),
    });
  }
  return items;
}

export const APPROVAL_ANNOTATION = 'portico.dev/approval';

/** The item's approval mode; an unknown value is reported and read as the safer `pull-request`. */
export function readApproval(r: Resource, diagnostics: Diagnostic[]): ApprovalMode {
  const value = r.annotations[APPROVAL_ANNOTATION];
  if (value === undefined || value === 'instant') return 'instant';
  if (value === 'pull-request') return 'pull-request';
  diagnostics.push(
    diagnosticAt(
      r.file,
      r.doc,
      ['metadata', 'annotations', APPROVAL_ANNOTATION],
      'error',
      'annotation',
      `${r.id.kind} ${r.id.name}: annotation ${APPROVAL_ANNOTATION} is "${value}"; use "instant" or "pull-request" (read as pull-request until fixed)`,
    ),
  );
  return 'pull-request';
}

/**
 * Tyk has no catalog items: each active SecurityPolicy offers the APIs in its access rights,
 * on itself as the plan, to everyone (or to the groups in annotation `portico.dev/groups`).
 */
export function readTykCatalogItems(index: KindIndex, apis: CatalogApi[], refs: RefCheck): CatalogItem[] {
  const items: CatalogItem[] = [];
  for (const r of ofKind(index, TYK, 'SecurityPolicy')) {
    const rights = Array.isArray(r.spec.access_rights_array) ? r.spec.access_rights_array : [];
    const keys: CatalogKey[] = [];
    rights.forEach((right: any, i: number) => {
      if (!right || typeof right.name !== 'string') return;
      const key = keyOf(typeof right.namespace === 'string' && right.namespace ? right.namespace : r.id.namespace, right.name);
      // A version folded into a base API (api-versioning.ts) is granted through the base API.
      const api = apis.find((a) => (a.key === key || a.aliases?.includes(key)) && a.gateway.gateway === 'tyk');
      if (!api) {
        refs.diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'access_rights_array', i, 'name'],
            'error',
            'reference',
            `SecurityPolicy ${r.id.name} grants access to ${right.kind ?? 'ApiDefinition'} ${key}, which is not in the repository`,
          ),
        );
        return;
      }
      keys.push(api.key);
    });
    const groups = (r.annotations['portico.dev/groups'] ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const active = r.spec.active !== false && (r.spec.state ?? 'active') === 'active';
    items.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof r.spec.name === 'string' ? r.spec.name : r.id.name,
      visibility: groups.length ? { everyone: false, groups } : { everyone: true },
      apis: [...new Set(keys)].sort(),
      bundles: [],
      plan: active ? keyOf(r.id.namespace, r.id.name) : undefined,
      operationFilter: [],
      selfService: active,
      approval: readApproval(r, refs.diagnostics),
      source: sourceOf(r),
    });
  }
  return items;
}

/**
 * A keyless Tyk API lets everyone through, so its docs are public: an API no policy already shows
 * to everyone gets an item of its own, visible to everyone, with no plan (nothing to subscribe to).
 */
export function keylessTykItems(apis: CatalogApi[], tykItems: CatalogItem[]): CatalogItem[] {
  // Shown to someone not signed in, in any portal (Tyk has no portal resource).
  const shown = new Set(tykItems.filter((i) => isVisibleTo(i, {})).flatMap((i) => i.apis));
  return apis
    .filter((a) => a.gateway.gateway === 'tyk' && !shown.has(a.key) && a.versions.length > 0 && a.versions.every((v) => v.gatewayAuth?.keyless))
    .map((a) => ({
      key: `${a.key}-keyless`,
      id: { ...a.id, name: `${a.id.name}-keyless` },
      title: `${a.title} (no key needed)`,
      visibility: { everyone: true },
      apis: [a.key],
      bundles: [],
      plan: undefined,
      operationFilter: [],
      selfService: false,
      approval: 'instant' as const,
      source: a.source,
    }));
}

/** Reports operation sets a catalog item includes that none of its APIs declares. */
export function checkOperationFilters(items: CatalogItem[], apis: CatalogApi[], index: KindIndex, diagnostics: Diagnostic[]): void {
  const resources = new Map(ofKind(index, HUB, 'APICatalogItem').map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  for (const item of items) {
    const r = resources.get(item.key);
    if (!r) continue;
    const known = new Set(apis.filter((a) => item.apis.includes(a.key)).flatMap((a) => a.versions.flatMap((v) => v.operationSets.map((s) => s.name))));
    item.operationFilter.forEach((name, i) => {
      if (!known.has(name)) {
        diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'operationFilter', 'include', i],
            'error',
            'operation-set',
            `APICatalogItem ${r.id.name} includes operation set "${name}", which none of its APIs declares`,
          ),
        );
      }
    });
  }
}

/** APIPortals, each with the catalog items of its namespace. */
export function readPortals(index: KindIndex, items: CatalogItem[]): CatalogPortal[] {
  return ofKind(index, HUB, 'APIPortal').map((r) => ({
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
    description: typeof r.spec.description === 'string' ? r.spec.description : undefined,
    logoUrl: typeof r.spec.ui?.logoUrl === 'string' ? r.spec.ui.logoUrl : undefined,
    trustedUrls: Array.isArray(r.spec.trustedUrls) ? r.spec.trustedUrls.filter((u: unknown) => typeof u === 'string') : [],
    items: items.filter((i) => i.id.namespace === r.id.namespace).map((i) => i.key),
    source: sourceOf(r),
  }));
}
