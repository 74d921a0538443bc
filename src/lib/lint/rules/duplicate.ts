import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic, DocPath } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** Lists the CRDs' CEL rules do not guard, by kind: the field path and how to read an entry's identity. */
const LISTS: Record<string, Array<{ field: DocPath; identity: (entry: any) => unknown }>> = {
  'hub.traefik.io/API': [{ field: ['spec', 'versions'], identity: (e) => e?.name }],
  'hub.traefik.io/APICatalogItem': [
    { field: ['spec', 'groups'], identity: (e) => e },
    { field: ['spec', 'operationFilter', 'include'], identity: (e) => e },
  ],
  'hub.traefik.io/ManagedSubscription': [
    { field: ['spec', 'applications'], identity: (e) => e?.appId },
    { field: ['spec', 'operationFilter', 'include'], identity: (e) => e },
  ],
  'hub.traefik.io/APIPortal': [{ field: ['spec', 'trustedUrls'], identity: (e) => e }],
  'tyk.tyk.io/SecurityPolicy': [{ field: ['spec', 'access_rights_array'], identity: (e) => (e?.name ? `${e.namespace ?? ''}/${e.name}` : undefined) }],
};

function valueAt(r: Resource, field: DocPath): unknown {
  let v: any = r.body;
  for (const k of field) v = v?.[k];
  return v;
}

/**
 * `duplicate`: one identity defined twice (reported by the loader, which keeps the first), and one entry
 * listed twice in a list: the CEL rules catch `apis`/`apiBundles`/`managedApplications`; the rest is here.
 */
export const duplicateRule: LintRule = {
  name: 'duplicate',
  description: 'A resource identity (group, kind, namespace, name) defined twice, or one entry listed twice in a list of references.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = loaderDiagnostics(input, 'duplicate');
    for (const r of input.resources) {
      for (const { field, identity } of LISTS[`${r.id.group}/${r.id.kind}`] ?? []) {
        const list = valueAt(r, field);
        if (!Array.isArray(list)) continue;
        const seen = new Map<string, number>();
        list.forEach((entry, i) => {
          const id = identity(entry);
          if (id === undefined || id === null) return;
          const key = String(id);
          const first = seen.get(key);
          if (first === undefined) {
            seen.set(key, i);
            return;
          }
          out.push(
            diagnosticAt(
              r.file,
              r.doc,
              [...field, i],
              'warning',
              'duplicate',
              `${r.id.kind} ${r.id.name} lists "${key}" twice in ${field.slice(1).join('.')} (also at index ${first})`,
              'remove the second entry',
            ),
          );
        });
      }
    }
    return out;
  },
};
