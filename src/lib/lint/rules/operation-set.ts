import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';
import { loaderDiagnostics, resourcesOfKind } from '../rule.ts';

/**
 * `operation-set`: an operationFilter names only operation sets that its APIs declare. The loader checks
 * catalog items; subscriptions are checked here, since a subscription's filter limits what keys may call.
 */
export const operationSetRule: LintRule = {
  name: 'operation-set',
  description: 'An operationFilter (catalog item or subscription) names only operation sets that its APIs declare.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = loaderDiagnostics(input, 'operation-set');
    const { catalog } = input;
    const subscriptions = new Map(resourcesOfKind(input, 'hub.traefik.io/ManagedSubscription').map((r) => [`${r.id.namespace}/${r.id.name}`, r]));
    for (const sub of catalog.subscriptions) {
      const r = subscriptions.get(sub.key);
      if (!r) continue;
      const apiKeys = new Set([...sub.apis, ...catalog.bundles.filter((b) => sub.bundles.includes(b.key)).flatMap((b) => b.apis)]);
      const known = new Set(catalog.apis.filter((a) => apiKeys.has(a.key)).flatMap((a) => a.versions.flatMap((v) => v.operationSets.map((s) => s.name))));
      sub.operationFilter.forEach((name, i) => {
        if (typeof name === 'string' && !known.has(name)) {
          out.push(
            diagnosticAt(
              r.file,
              r.doc,
              ['spec', 'operationFilter', 'include', i],
              'error',
              'operation-set',
              `ManagedSubscription ${r.id.name} includes operation set "${name}", which none of its APIs declares`,
              `declare "${name}" in spec.openApiSpec.operationSets of the API, or remove it from the filter`,
            ),
          );
        }
      });
    }
    return out;
  },
};
