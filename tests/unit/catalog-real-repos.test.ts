import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { lintContent } from '../../src/lib/lint/run.ts';

// Public GitOps repositories as published (tests/fixtures/real/*/PROVENANCE.md), read whole.
const real = path.resolve(import.meta.dirname, '../fixtures/real');

describe('files that configure tools are not resources', async () => {
  const tyk = await loadCatalog(path.join(real, 'tyk-operator'), { offline: true });
  const airlines = await loadCatalog(path.join(real, 'traefik-airlines'), { offline: true });

  it("a kustomization.yaml with apiVersion kustomize.config.k8s.io, kind's Cluster and a ControllerManagerConfig are not reported", () => {
    for (const file of ['config/manager/kustomization.yaml', 'hack/kind.yaml', 'config/manager/controller_manager_config.yaml']) {
      expect(
        tyk.diagnostics.filter((d) => d.file === file),
        file,
      ).toEqual([]);
    }
    expect(tyk.references.map((r) => r.id.kind)).not.toContain('Kustomization');
    expect(tyk.references.map((r) => r.id.kind)).not.toContain('Cluster');
    expect(tyk.references.map((r) => r.id.kind)).not.toContain('ControllerManagerConfig');
    // The manifests next to them are still read.
    expect(tyk.references.filter((r) => r.source.file === 'config/manager/manager.yaml').map((r) => `${r.id.kind}/${r.id.name}`)).toEqual(['Namespace/system', 'Deployment/controller-manager']);
  });

  it('kustomizations without apiVersion, Helm values and OpenAPI documents are not reported either', () => {
    const quiet = [
      ...['config/samples/istio/values.yaml', 'ci/helm_values.yaml'].map((f) => [tyk, f] as const),
      ...['flux/gateway/kustomization.yaml', 'flux/management/kustomization.yaml', 'flux/proxy/kustomization.yaml', 'oas/openapi.yaml', 'oas/anthropic-messages.yaml'].map(
        (f) => [airlines, f] as const,
      ),
    ];
    for (const [catalog, file] of quiet)
      expect(
        catalog.diagnostics.filter((d) => d.file === file),
        file,
      ).toEqual([]);
    // tyk-operator's config/samples/kustomization.yaml is not a broken resource either; but it names a
    // file the repository does not have, so kustomize cannot build it, and that alone is said there.
    expect(tyk.diagnostics.filter((d) => d.file === 'config/samples/kustomization.yaml').map((d) => `${d.line} ${d.severity} ${d.rule} ${d.message}`)).toEqual([
      '3 error kustomize this kustomization names tyk_v1alpha1_portalconfig.yaml, which does not exist (looked for config/samples/tyk_v1alpha1_portalconfig.yaml)',
    ]);
  });

  it('a kustomization that cannot be built leaves its folder read as written: every tyk-operator sample is still read', () => {
    const topLevel = (file: string) => /^config\/samples\/[^/]+$/.test(file);
    expect(tyk.apis.filter((a) => topLevel(a.source.file)).length).toBeGreaterThan(20);
    expect(tyk.apis.map((a) => a.source.file)).toEqual(expect.arrayContaining(['config/samples/httpbin_invalid.yml', 'config/samples/petstore.yaml', 'config/samples/udg_1.yaml']));
  });

  it('no document anywhere in either repository is reported for a missing metadata.name', () => {
    expect([...tyk.diagnostics, ...airlines.diagnostics].filter((d) => d.message.includes('no metadata.name'))).toEqual([]);
  });
});

describe('the legacy APIAccess, migrated in memory (traefik/hub tutorial "Protect API infrastructure")', async () => {
  const root = path.join(real, 'traefik-hub-apiaccess');
  const catalog = await loadCatalog(root, { offline: true });

  it('keeps the plan and the bundles of each access, and offers those with a plan', () => {
    const items = Object.fromEntries(catalog.items.map((i) => [i.id.name, i]));
    expect(items['protect-api-infrastructure-apimanagement-external-bundle']).toMatchObject({
      visibility: { everyone: false, groups: ['external'] },
      bundles: ['apps/protect-api-infrastructure-apimanagement-bundle'],
      apis: ['apps/protect-api-infrastructure-apimanagement-weather', 'apps/protect-api-infrastructure-apimanagement-whoami'],
      plan: 'apps/plan-for-bundle',
      selfService: true,
    });
    expect(items['protect-api-infrastructure-apimanagement-admin-ratelimit']).toMatchObject({ plan: 'admin/admin', selfService: true, apis: ['admin/protect-api-infrastructure-apimanagement-admin'] });
    expect(items['protect-api-infrastructure-apimanagement-weather-quota']).toMatchObject({ plan: 'apps/external-premium', selfService: true });
    expect(items['protect-api-infrastructure-apimanagement-whoami']).toMatchObject({ plan: undefined, selfService: false, bundles: [] });
  });

  it('lint reports no plan as an orphan that an APIAccess uses', async () => {
    const result = await lintContent(root, { offline: true });
    // Only apps/external is unused: the one APIAccess naming it is the duplicate definition that is dropped.
    expect(result.diagnostics.filter((d) => d.rule === 'orphan').map((d) => d.message)).toEqual([
      'APIPlan apps/external is used by no catalog item and no subscription, so nobody can subscribe to it',
    ]);
    expect(result.diagnostics.filter((d) => d.rule === 'duplicate').map((d) => d.file)).toEqual(['weather-apiaccess-quota.yaml']);
  });
});

describe('traefik-airlines read as a whole repository', async () => {
  const catalog = await loadCatalog(path.join(real, 'traefik-airlines'), { offline: true });

  it('finds the 4 APIs with their 20 operations, the plans, catalog items, portal and subscriptions', () => {
    expect(catalog.apis.map((a) => [a.key, a.title, a.versions.map((v) => v.operations.length)])).toEqual([
      ['traefik-airlines/customers-api', 'Customers', [5]],
      ['traefik-airlines/employees-api', 'Employee', [5]],
      ['traefik-airlines/flights-api', 'Flights', [5]],
      ['traefik-airlines/tickets-api', 'Tickets', [5]],
    ]);
    expect(catalog.stats.operations).toBe(20);
    expect(catalog.failedApis).toEqual([]);
    expect(catalog.plans.map((p) => [p.id.name, p.rateLimit, p.quota])).toEqual([
      ['traefik-airlines-bronze-plan', { requests: 1, periodSeconds: 10 }, { requests: 100, periodSeconds: 86400 }],
      ['traefik-airlines-gold-plan', { requests: 100, periodSeconds: 10 }, { requests: 10000, periodSeconds: 86400 }],
      ['traefik-airlines-platinum-plan', { requests: 1000, periodSeconds: 1 }, { requests: 1000000, periodSeconds: 86400 }],
      ['traefik-airlines-silver-plan', { requests: 10, periodSeconds: 10 }, { requests: 1000, periodSeconds: 86400 }],
    ]);
    expect(catalog.items.map((i) => [i.id.name, i.visibility, i.apis.length, i.plan, i.selfService])).toEqual([
      ['traefik-airlines-customers', { everyone: true }, 2, 'traefik-airlines/traefik-airlines-silver-plan', true],
      ['traefik-airlines-employees', { everyone: false, groups: ['employees'] }, 4, 'traefik-airlines/traefik-airlines-gold-plan', true],
    ]);
    expect(catalog.portals.map((p) => [p.key, p.items])).toEqual([
      ['traefik-airlines/traefik-airlines-portal', ['traefik-airlines/traefik-airlines-customers', 'traefik-airlines/traefik-airlines-employees']],
    ]);
    expect(catalog.subscriptions.map((s) => [s.id.name, s.appIds, s.apis.length, s.plan])).toEqual([
      ['customer-subscription', ['customers'], 2, 'traefik-airlines/traefik-airlines-silver-plan'],
      ['employee-subscription', ['employees'], 4, 'traefik-airlines/traefik-airlines-gold-plan'],
    ]);
  });

  it('reports no error: the variants that flux/*/kustomization.yaml pick from are not duplicates', () => {
    // The repository holds alternatives of one resource (apis/*/api.yaml and api-tls.yaml; the same
    // IngressRoute in apis/, routes/ and middlewares/jwt/), which flux/gateway, flux/management and
    // flux/proxy pick from for different set-ups. Portico documents the one that applies APIs.
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(catalog.diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule} ${d.message}`)).toEqual([
      '.:1 info cluster this repository has several kustomizations that pick between the same files (flux/gateway, flux/management, flux/proxy); Portico documents flux/management, the only one that applies APIs',
      'flux/management/dependencies/redis/helmrelease.yaml:2 warning gitops HelmRelease traefik/traefik-redis is rendered by Helm in the cluster; Portico does not render Helm charts, so what redis creates is not read',
    ]);
  });

  it('reads each object as flux/management renders it: in its namespace, placed at its own file and line', () => {
    const refs = Object.fromEntries(catalog.references.map((r) => [`${r.id.kind}/${r.id.namespace}/${r.id.name}`, r.source]));
    // kustomize's `namespace: traefik-airlines` reaches the objects whose files name none.
    expect(refs['ConfigMap/traefik-airlines/flights-openapi']).toEqual({ file: 'apps/flights/oas.yaml', line: 3, column: 7 });
    expect(refs['Deployment/traefik-airlines/flights-app']).toMatchObject({ file: 'apps/flights/app.yaml' });
    expect(refs['IngressRoute/traefik-airlines/flights-ingress']).toMatchObject({ file: 'apis/flights/route.yaml' });
    // The variants that flux/management does not name are not read; files no kustomization owns are.
    expect(catalog.references.map((r) => r.source.file).filter((f) => /route-tls|api-tls|^routes\/|^middlewares\/jwt\//.test(f))).toEqual([]);
    expect(refs['Middleware/default/jwt-entra-id']).toMatchObject({ file: 'middlewares/jwt-entraid.yaml' });
    expect(catalog.apis.map((a) => a.source.file)).toEqual(['customers', 'employees', 'flights', 'tickets'].map((n) => `apis/${n}/api.yaml`));
    expect(catalog.apis.map((a) => a.versions[0]!.origin)).toEqual(
      ['customers', 'employees', 'flights', 'tickets'].map((n) => ({ kind: 'configmap', configMap: `traefik-airlines/${n}-openapi`, key: 'openapi.yaml', file: `apps/${n}/oas.yaml` })),
    );
  });
});
