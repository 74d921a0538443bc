import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintInput, LintRule } from '../rule.ts';
import { loaderDiagnostics, resourcesOfKind } from '../rule.ts';

/**
 * `reference`: every name points at something in the repository. The loader checks APIs, plans, bundles,
 * versions, applications and ConfigMaps. Services behind Hub IngressRoutes are checked here, but only when
 * the repository manages Services at all: many teams deploy them from a Helm chart elsewhere.
 */
export const referenceRule: LintRule = {
  name: 'reference',
  description:
    "Every reference names something in the repository: API, APIVersion, APIPlan, APIBundle, ManagedApplication, ConfigMap, Service, and the API or APIVersion a route's hub.traefik.io/api or hub.traefik.io/api-version annotation names.",
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = [...loaderDiagnostics(input, 'reference'), ...dangledRouteAnnotations(input)];
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
            out.push(
              diagnosticAt(
                r.file,
                r.doc,
                ['spec', 'routes', i, 'services', j, 'name'],
                'error',
                'reference',
                `IngressRoute ${r.id.name} routes to Service "${s.name}", which does not exist in namespace ${ns}`,
              ),
            );
          }
        });
      });
    }
    return out;
  },
};

const ROUTE_KINDS = new Set(['IngressRoute', 'Ingress', 'HTTPRoute']);

/**
 * Routes annotated `hub.traefik.io/api` (or `-version`) with a name no API (APIVersion) has: Traefik Hub
 * then manages nothing on that route, so calls reach the Service without the API's auth and plans.
 * A route without metadata.namespace may land in any namespace, so any API of that name counts.
 */
function dangledRouteAnnotations(input: LintInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = (kind: string) => input.resources.filter((r) => r.id.group === 'hub.traefik.io' && r.id.kind === kind);
  const apis = names('API');
  const versions = names('APIVersion');
  for (const r of input.resources) {
    if (!ROUTE_KINDS.has(r.id.kind)) continue;
    const own = typeof r.body.metadata?.namespace === 'string' && r.body.metadata.namespace !== '';
    for (const [annotation, kind, known] of [
      ['hub.traefik.io/api', 'API', apis],
      ['hub.traefik.io/api-version', 'APIVersion', versions],
    ] as const) {
      const name = r.annotations[annotation];
      if (name === undefined) continue;
      if (known.some((k) => k.id.name === name && (!own || k.id.namespace === r.id.namespace))) continue;
      out.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['metadata', 'annotations', annotation],
          'error',
          'reference',
          `${r.id.kind} ${r.id.name} is annotated ${annotation}: ${name}, but there is no ${kind} "${name}"${own ? ` in namespace ${r.id.namespace}` : ''}`,
          `fix the name, or add the ${kind}; until then Traefik Hub manages nothing on this route`,
        ),
      );
    }
  }
  return out;
}
