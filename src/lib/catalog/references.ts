import type { Diagnostic } from './diagnostics.ts';
import { keyOf } from './kind-index.ts';
import type { CatalogKey, LabelSelector } from './model.ts';
import { diagnosticAt, type Resource } from './resources.ts';

/** Does a Kubernetes label selector match these labels? An empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The keys each kind of reference may name, and where to report one that names nothing. */
export interface RefCheck {
  apis: Set<CatalogKey>;
  plans: Set<CatalogKey>;
  bundles: Set<CatalogKey>;
  diagnostics: Diagnostic[];
}

/** Resolves a `[{name}]` list to keys in the resource's namespace, reporting names that exist nowhere. */
export function resolveNames(r: Resource, list: unknown, field: string, known: Set<CatalogKey>, what: string, diagnostics: Diagnostic[]): CatalogKey[] {
  if (!Array.isArray(list)) return [];
  const out: CatalogKey[] = [];
  list.forEach((entry, i) => {
    const name = entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    const key = keyOf(r.id.namespace, name);
    if (!known.has(key)) {
      diagnostics.push(
        diagnosticAt(r.file, r.doc, ['spec', field, i, 'name'], 'error', 'reference', `${r.id.kind} ${r.id.name} refers to ${what} "${name}", which does not exist in namespace ${r.id.namespace}`),
      );
      return;
    }
    if (!out.includes(key)) out.push(key);
  });
  return out;
}

/** The plan `spec.apiPlan` names, or undefined (and an error) when there is no such APIPlan. */
export function readPlanRef(r: Resource, refs: RefCheck): CatalogKey | undefined {
  const name = r.spec.apiPlan?.name;
  if (typeof name !== 'string') return undefined;
  const key = keyOf(r.id.namespace, name);
  if (!refs.plans.has(key)) {
    refs.diagnostics.push(
      diagnosticAt(r.file, r.doc, ['spec', 'apiPlan', 'name'], 'error', 'reference', `${r.id.kind} ${r.id.name} refers to APIPlan "${name}", which does not exist in namespace ${r.id.namespace}`),
    );
    return undefined;
  }
  return key;
}
