import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/index.ts';

// traefik-airlines as published (tests/fixtures/real/traefik-airlines/PROVENANCE.md): every API's
// openApiSpec.path is served by its app from a ConfigMap mounted into the Deployment behind the
// Service its IngressRoute routes to. Variants change a copy, one link at a time.
const airlines = path.resolve(import.meta.dirname, '../fixtures/real/traefik-airlines');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A copy of traefik-airlines with some files rewritten: `edits` maps a file to a function of its text. */
function variant(edits: Record<string, (text: string) => string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'portico-airlines-'));
  temps.push(root);
  cpSync(airlines, root, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const abs = path.join(root, file);
    const before = readFileSync(abs, 'utf8');
    const after = edit(before);
    expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
    writeFileSync(abs, after);
  }
  return root;
}

/** The openapi diagnostics about the flights API (api.yaml, the variant flux/management applies). */
function flightsSpecErrors(catalog: Catalog) {
  return catalog.diagnostics.filter((d) => d.rule === 'openapi' && d.file === 'apis/flights/api.yaml');
}

describe('a Traefik Hub API whose spec a ConfigMap holds (traefik-airlines)', async () => {
  const catalog = await loadCatalog(airlines, { offline: true });

  it('reads every API from the ConfigMap mounted behind its Service, with all 20 operations', () => {
    expect(catalog.apis.map((a) => [a.key, a.title, a.versions[0]!.origin, a.versions[0]!.operations.length])).toEqual(
      ['customers', 'employees', 'flights', 'tickets'].map((name) => [
        `traefik-airlines/${name}-api`,
        expect.any(String),
        { kind: 'configmap', configMap: `traefik-airlines/${name}-openapi`, key: 'openapi.yaml', file: `apps/${name}/oas.yaml` },
        5,
      ]),
    );
    expect(catalog.stats.operations).toBe(20);
    expect(catalog.diagnostics.filter((d) => d.rule === 'openapi')).toEqual([]);
  });

  it('keeps override.servers and places operations in the ConfigMap file', () => {
    const flights = catalog.apis.find((a) => a.key === 'traefik-airlines/flights-api')!.versions[0]!;
    // apis/flights/api.yaml, the variant flux/management applies, lists five servers.
    expect(flights.servers.map((s) => s.url)).toEqual(['localhost:8080', 'k3d:8080', 'aks', 'eks', 'gke'].map((h) => `http://flights.airlines.traefik.${h}`));
    const getFlights = flights.operations.find((o) => o.method === 'get' && o.path === '/flights')!;
    expect(getFlights.source.file).toBe('apps/flights/oas.yaml');
    const lines = readFileSync(path.join(airlines, 'apps/flights/oas.yaml'), 'utf8').split('\n');
    expect(lines[getFlights.source.line - 1]).toMatch(/^\s+get:/);
  });

  it('says when the Service the route names is not in the repository', async () => {
    const root = variant({ 'apps/flights/app.yaml': (t) => t.replace(/\n---\napiVersion: v1\nkind: Service[\s\S]*$/, '\n') });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        severity: 'error',
        line: 9,
        message: expect.stringContaining('in the cluster: no Service named flights-app in namespace traefik-airlines (IngressRoute flights-ingress (apis/flights/route.yaml:5) names it)'),
      },
    ]);
  });

  it('says when no workload has the pod labels the Service selects', async () => {
    const root = variant({ 'apps/flights/app.yaml': (t) => t.replace('      labels:\n        app: flights-app', '      labels:\n        app: flights-server') });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        line: 9,
        message: expect.stringContaining(
          'no Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod in namespace traefik-airlines has the pod labels app=flights-app that Service flights-app (apps/flights/app.yaml:',
        ),
      },
    ]);
  });

  it('says when no ConfigMap volume is mounted where the path is', async () => {
    const root = variant({ 'apps/flights/app.yaml': (t) => t.replace('          - name: openapi\n            mountPath: /public\n', '') });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        line: 9,
        message: expect.stringContaining(
          'no ConfigMap volume of Deployment flights-app (apps/flights/app.yaml:20) is mounted at a prefix of /openapi.yaml, and none holds openapi.yaml at the top of its mount (its ConfigMap mounts: /api from ConfigMap flights-data)',
        ),
      },
    ]);
  });

  it('says when the mounted ConfigMap does not exist', async () => {
    const root = variant({ 'apps/flights/oas.yaml': (t) => t.replace('name: flights-openapi', 'name: flights-oas') });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        line: 9,
        message: expect.stringContaining(
          'Deployment flights-app (apps/flights/app.yaml:20) mounts ConfigMap flights-openapi at /public, but there is no ConfigMap named flights-openapi in namespace traefik-airlines',
        ),
      },
    ]);
  });

  it('says when the ConfigMap has no such key, and which keys it has', async () => {
    const root = variant({ 'apps/flights/oas.yaml': (t) => t.replace('  openapi.yaml: |', '  oas.yaml: |') });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        line: 9,
        message: expect.stringContaining('ConfigMap flights-openapi (apps/flights/oas.yaml:5) has no key openapi.yaml (it has: oas.yaml)'),
      },
    ]);
  });

  it('says when no route is annotated with the API', async () => {
    const root = variant({
      'apis/flights/route-tls.yaml': (t) => t.replace('hub.traefik.io/api: flights-api', 'hub.traefik.io/api: flights-api-v2'),
      'apis/flights/route.yaml': (t) => t.replace('hub.traefik.io/api: flights-api', 'hub.traefik.io/api: flights-api-v2'),
    });
    expect(flightsSpecErrors(await loadCatalog(root, { offline: true }))).toMatchObject([
      {
        line: 9,
        message:
          'API flights-api: no file for openApiSpec.path "/openapi.yaml"; looked for apis/flights/flights-api/openapi.yaml, apis/flights/openapi.yaml; ' +
          'and in the cluster: no IngressRoute, Ingress or HTTPRoute in namespace traefik-airlines is annotated hub.traefik.io/api: flights-api, so no Service is known to serve it',
      },
    ]);
  });

  it('follows a subPath mount and the items of the volume', async () => {
    const root = variant({
      'apps/flights/app.yaml': (t) =>
        t
          .replace('          - name: openapi\n            mountPath: /public\n', '          - name: openapi\n            mountPath: /openapi.yaml\n            subPath: spec.yaml\n')
          .replace('            name: flights-openapi', '            name: flights-openapi\n            items:\n              - key: openapi.yaml\n                path: spec.yaml'),
    });
    const loaded = await loadCatalog(root, { offline: true });
    expect(flightsSpecErrors(loaded)).toEqual([]);
    expect(loaded.apis.find((a) => a.key === 'traefik-airlines/flights-api')!.versions[0]!.origin).toMatchObject({ kind: 'configmap', key: 'openapi.yaml' });
  });

  it('follows spec.service of the legacy API shape, without any route', async () => {
    const legacy = [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      '  name: flights-api',
      '  namespace: traefik-airlines',
      'spec:',
      '  pathPrefix: /flights',
      '  service:',
      '    name: flights-app',
      '    port:',
      '      number: 3000',
      '    openApiSpec:',
      '      path: /openapi.yaml',
      '',
    ].join('\n');
    const root = variant({
      'apis/flights/api.yaml': () => legacy,
      'apis/flights/route-tls.yaml': (t) => t.replace('hub.traefik.io/api: flights-api', 'hub.traefik.io/api: nothing'),
      'apis/flights/route.yaml': (t) => t.replace('hub.traefik.io/api: flights-api', 'hub.traefik.io/api: nothing'),
    });
    const loaded = await loadCatalog(root, { offline: true });
    expect(flightsSpecErrors(loaded)).toEqual([]);
    expect(loaded.apis.find((a) => a.key === 'traefik-airlines/flights-api')).toMatchObject({
      gateway: { gateway: 'traefik-hub', legacy: true },
      versions: [
        { origin: { kind: 'configmap', configMap: 'traefik-airlines/flights-openapi', key: 'openapi.yaml' }, operations: expect.arrayContaining([expect.objectContaining({ path: '/flights' })]) },
      ],
    });
  });

  it('follows an HTTPRoute to its backend Service as well', async () => {
    const httpRoute = [
      'apiVersion: gateway.networking.k8s.io/v1',
      'kind: HTTPRoute',
      'metadata:',
      '  name: flights',
      '  annotations:',
      '    hub.traefik.io/api: flights-api',
      'spec:',
      '  rules:',
      '    - backendRefs:',
      '        - name: flights-app',
      '          port: 3000',
      '',
    ].join('\n');
    const root = variant({ 'apis/flights/route-tls.yaml': () => httpRoute, 'apis/flights/route.yaml': () => httpRoute.replace('name: flights\n', 'name: flights-plain\n') });
    const loaded = await loadCatalog(root, { offline: true });
    expect(flightsSpecErrors(loaded)).toEqual([]);
    expect(loaded.apis.find((a) => a.key === 'traefik-airlines/flights-api')!.versions[0]!.operations).toHaveLength(5);
  });
});

describe('an in-cluster openApiSpec.url', () => {
  const withUrl = (url: string): string => variant({ 'apis/flights/api.yaml': (t) => t.replace('path: /openapi.yaml', `url: ${url}`) });

  it.each([
    'http://flights-app:3000/openapi.yaml',
    'http://flights-app.traefik-airlines:3000/openapi.yaml',
    'http://flights-app.traefik-airlines.svc:3000/openapi.yaml',
    'http://flights-app.traefik-airlines.svc.cluster.local:3000/openapi.yaml',
  ])('%s is read from the ConfigMap behind the Service, never fetched', async (url) => {
    // Not offline: a fetch of these names would fail (they resolve only in the cluster) and say so.
    const loaded = await loadCatalog(withUrl(url), { urlTimeoutMs: 2000 });
    expect(flightsSpecErrors(loaded)).toEqual([]);
    expect(loaded.apis.find((a) => a.key === 'traefik-airlines/flights-api')!.versions[0]).toMatchObject({
      origin: { kind: 'configmap', configMap: 'traefik-airlines/flights-openapi', key: 'openapi.yaml' },
      operations: expect.arrayContaining([expect.objectContaining({ path: '/flights' })]),
    });
  });

  it('names the missing port of the Service, at the url field', async () => {
    const loaded = await loadCatalog(withUrl('http://flights-app.traefik-airlines.svc.cluster.local/openapi.yaml'), { urlTimeoutMs: 2000 });
    expect(flightsSpecErrors(loaded)).toMatchObject([
      {
        severity: 'error',
        line: 9,
        message: expect.stringMatching(
          /^API flights-api: openApiSpec\.url http:\/\/flights-app\.traefik-airlines\.svc\.cluster\.local\/openapi\.yaml is an address inside the cluster, .* and Service flights-app \(apps\/flights\/app\.yaml:\d+\) has no port 80 \(it has: 3000\)$/,
        ),
      },
    ]);
  });

  it('names the missing Service of a cluster address', async () => {
    const loaded = await loadCatalog(withUrl('http://flights.traefik-airlines.svc:3000/openapi.yaml'), { urlTimeoutMs: 2000 });
    expect(flightsSpecErrors(loaded)).toMatchObject([
      { line: 9, message: expect.stringContaining('no Service named flights in namespace traefik-airlines (openApiSpec.url http://flights.traefik-airlines.svc:3000/openapi.yaml names it)') },
    ]);
  });

  it('gives way to the annotation portico.dev/openapi-file, which names a file in the repository', async () => {
    const root = variant({
      'apis/flights/api.yaml': (t) =>
        t
          .replace('path: /openapi.yaml', 'url: http://127.0.0.1:9/openapi.yaml')
          .replace('  namespace: traefik-airlines\n', '  namespace: traefik-airlines\n  annotations:\n    portico.dev/openapi-file: ../../oas/anthropic-messages.yaml\n'),
    });
    const loaded = await loadCatalog(root, { urlTimeoutMs: 2000 });
    expect(flightsSpecErrors(loaded)).toEqual([]);
    expect(loaded.apis.find((a) => a.key === 'traefik-airlines/flights-api')!.versions[0]!.origin).toEqual({
      kind: 'path',
      file: 'oas/anthropic-messages.yaml',
      declaredPath: 'http://127.0.0.1:9/openapi.yaml',
    });
  });
});
