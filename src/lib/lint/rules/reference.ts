import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';
import { loaderDiagnostics, resourcesOfKind } from '../rule.ts';

/**
 * `reference`: every name points at something in the repository. The loader checks APIs, plans, bundles,
 * versions, applications and ConfigMaps. Services behind Hub IngressRoutes are checked here, but only when
 * the repository manages Services at all: many teams deploy them from a Helm chart elsewhere.
 */
export const referenceRule: LintRule = {
  name: 'reference',
  description: 'Every reference names something in the repository: API, APIVersion, APIPlan, APIBundle, ManagedApplication, ConfigMap, Service.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = loaderDiagnostics(input, 'reference');
    const services = new Set(resourcesOfKind(input, '/Service').map((r) => `${r.id.namespace}/${r.id.name}`));
    if (services.size === 0) return out;
    for (const r of resourcesOfKind(input, 'traefik.io/IngressRoute')) {
      if (!r.annotations['hub.traefik.io/api'] && !r.annotations['hub.traefik.io/api-version']) continue;
      const routes = Array.isArray(r.spec.routes) ? r.spec.routes : [];
      routes.forEach((route: any, i: number) => {
        (Array.isArray(route?.services) ? route.services : []).forEach((s: any, j: number) => {
          if (!s || typeof s.name !== 'string' || (s.kind && s.kind !== 'Service')) return; // TraefikService is not a Kubernetes Service
          const ns = typeof s.namespace === 'string' && s.namespace ? s.namespace : r.id.namespace;
          if (!services.has(`${ns}/${s.name}`)) {
            out.push(diagnosticAt(r.file, r.doc, ['spec', 'routes', i, 'services', j, 'name'], 'error', 'reference',
              `IngressRoute ${r.id.name} routes to Service "${s.name}", which does not exist in namespace ${ns}`));
          }
        });
      });
    }
    return out;
  },
};
