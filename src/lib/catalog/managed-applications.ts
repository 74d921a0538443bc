import type { Diagnostic } from './diagnostics.ts';
import { HUB, type KindIndex, keyOf, ofKind } from './kind-index.ts';
import type { CatalogApplication, CatalogSubscription, LabelSelector } from './model.ts';
import { readPlanRef, type RefCheck, resolveNames, selectorMatches } from './references.ts';
import { diagnosticAt, type Resource, sourceOf } from './resources.ts';

/** ManagedApplications kept in Git; a key in plain text is reported. */
export function readApplications(index: KindIndex, diagnostics: Diagnostic[]): CatalogApplication[] {
  return ofKind(index, HUB, 'ManagedApplication').map((r) => {
    const keys = Array.isArray(r.spec.apiKeys) ? r.spec.apiKeys : [];
    keys.forEach((k: any, i: number) => {
      if (k && typeof k.value === 'string') {
        diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'apiKeys', i, 'value'],
            'warning',
            'resource',
            `ManagedApplication ${r.id.name} keeps an API key in plain text in Git`,
            'use secretName with an encrypted Secret (SOPS or SealedSecret) instead of value',
          ),
        );
      }
    });
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      appId: String(r.spec.appId ?? r.id.name),
      owner: String(r.spec.owner ?? ''),
      notes: typeof r.spec.notes === 'string' ? r.spec.notes : undefined,
      apiKeys: keys
        .filter((k: any) => k && typeof k === 'object')
        .map((k: any) => ({
          title: typeof k.title === 'string' ? k.title : undefined,
          secretName: typeof k.secretName === 'string' ? k.secretName : undefined,
          suspended: k.suspended === true,
          inline: typeof k.value === 'string',
        })),
      source: sourceOf(r),
    };
  });
}

/** The appIds a ManagedSubscription covers: listed by appId, by ManagedApplication name, or by label selector. */
function subscribedAppIds(r: Resource, apps: Resource[], diagnostics: Diagnostic[]): string[] {
  const ids = (Array.isArray(r.spec.applications) ? r.spec.applications : []).map((a: any) => a?.appId).filter((x: unknown): x is string => typeof x === 'string');
  const inNamespace = apps.filter((a) => a.id.namespace === r.id.namespace);
  (Array.isArray(r.spec.managedApplications) ? r.spec.managedApplications : []).forEach((ref: any, i: number) => {
    const app = inNamespace.find((a) => a.id.name === ref?.name);
    if (app) ids.push(String(app.spec.appId ?? app.id.name));
    else
      diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['spec', 'managedApplications', i, 'name'],
          'error',
          'reference',
          `ManagedSubscription ${r.id.name} refers to ManagedApplication "${ref?.name}", which does not exist in namespace ${r.id.namespace}`,
        ),
      );
  });
  const selector = r.spec.managedApplicationSelector as LabelSelector | undefined;
  if (selector && typeof selector === 'object') for (const app of inNamespace) if (selectorMatches(selector, app.labels)) ids.push(String(app.spec.appId ?? app.id.name));
  return [...new Set(ids)];
}

/** ManagedSubscriptions kept in Git: which applications get which APIs on which plan. */
export function readSubscriptions(index: KindIndex, refs: RefCheck): CatalogSubscription[] {
  const out: CatalogSubscription[] = [];
  const apps = ofKind(index, HUB, 'ManagedApplication');
  for (const r of ofKind(index, HUB, 'ManagedSubscription')) {
    const plan = readPlanRef(r, refs);
    out.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      appIds: subscribedAppIds(r, apps, refs.diagnostics),
      apis: resolveNames(r, r.spec.apis, 'apis', refs.apis, 'API', refs.diagnostics),
      bundles: resolveNames(r, r.spec.apiBundles, 'apiBundles', refs.bundles, 'APIBundle', refs.diagnostics),
      plan: plan ?? keyOf(r.id.namespace, String(r.spec.apiPlan?.name ?? '')),
      operationFilter: Array.isArray(r.spec.operationFilter?.include) ? r.spec.operationFilter.include : [],
      weight: typeof r.spec.weight === 'number' ? r.spec.weight : undefined,
      source: sourceOf(r),
    });
  }
  return out;
}
