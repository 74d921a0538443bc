import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog, Diagnostic } from '../../src/lib/catalog/index.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/catalog');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function errors(catalog: Catalog): Diagnostic[] {
  return catalog.diagnostics.filter((d) => d.severity === 'error');
}

describe('Traefik Hub content', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'hub-basic'));

  it('reads every kind without errors', () => {
    expect(errors(catalog)).toEqual([]);
    expect(catalog.apis.map((a) => a.key)).toEqual(['shop/parcels']);
    expect(catalog.plans.map((p) => p.key)).toEqual(['shop/bronze']);
    expect(catalog.bundles.map((b) => [b.key, b.apis])).toEqual([['shop/parcels-by-label', ['shop/parcels']]]);
    expect(catalog.portals).toMatchObject([{ key: 'shop/shop-portal', title: 'Shop developer portal', logoUrl: 'https://developer.example.test/logo.svg', items: ['shop/public', 'shop/partners'] }]);
    expect(catalog.applications).toMatchObject([
      { appId: 'dashboard', owner: 'ops-team', apiKeys: [{ title: 'primary', secretName: 'dashboard-key', inline: false }] },
      { appId: 'reporting-app', owner: 'finance-team', apiKeys: [] },
    ]);
    expect(catalog.subscriptions).toMatchObject([
      { key: 'shop/dashboard-bronze', appIds: ['dashboard'], apis: ['shop/parcels'], plan: 'shop/bronze', weight: 10 },
      { key: 'shop/by-name-and-selector', appIds: ['reporting-app', 'dashboard'], bundles: ['shop/parcels-by-label'], plan: 'shop/bronze' },
    ]);
    expect(catalog.references.map((r) => `${r.id.kind}/${r.id.name}`)).toEqual(['IngressRoute/parcels']);
  });

  it('puts plan limits in one unit system', () => {
    expect(catalog.plans[0]).toMatchObject({ rateLimit: { requests: 100, periodSeconds: 10 }, quota: { requests: 10000, periodSeconds: 86400 } });
  });

  it('resolves catalog items through bundles and label selectors, with visibility', () => {
    const [pub, partners] = catalog.items;
    expect(pub).toMatchObject({
      key: 'shop/public',
      visibility: { everyone: true },
      apis: ['shop/parcels'],
      bundles: ['shop/parcels-by-label'],
      plan: 'shop/bronze',
      operationFilter: ['read-only'],
      selfService: true,
    });
    expect(partners).toMatchObject({ key: 'shop/partners', visibility: { everyone: false, groups: ['partners'] }, selfService: false });
  });

  it('extracts operations with merged parameters, effective security and operation sets', () => {
    const version = catalog.apis[0]!.versions[0]!;
    expect(version).toMatchObject({ name: 'parcels', release: '1.3.0', origin: { kind: 'path', file: 'apis/parcels/openapi.yaml' } });
    expect(version.spec?.sourceVersion).toBe('3.1.0');
    const ops = Object.fromEntries(version.operations.map((o) => [`${o.method} ${o.path}`, o]));
    expect(Object.keys(ops).sort()).toEqual(['delete /parcels/{parcelId}', 'get /parcels', 'get /parcels/{parcelId}', 'post /parcels']);
    expect(ops['get /parcels']!.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['header:X-Request-Id', 'query:limit']);
    expect(ops['get /parcels']!.security).toEqual([{ apiKey: [] }]);
    expect(ops['delete /parcels/{parcelId}']).toMatchObject({ deprecated: true, security: [], operationSets: ['by-regex'] });
    expect(ops['get /parcels/{parcelId}']!.operationSets).toEqual(['read-only', 'by-regex']);
    expect(ops['post /parcels']).toMatchObject({ operationId: 'post-parcels', derivedOperationId: true, operationSets: [] });
    expect(ops['post /parcels']!.responses['201']).toEqual({ description: 'Created.' });
    expect(ops['get /parcels']!.source).toEqual({ file: 'apis/parcels/openapi.yaml', line: 15, column: 5 });
    expect(version.webhooks).toMatchObject([{ name: 'parcelDelivered', method: 'post', operationId: 'parcelDelivered' }]);
    expect(version.tags.map((t) => t.name)).toEqual(['parcels']);
    expect(version.schemaNames).toEqual(['Parcel']);
    expect(Object.keys(version.securitySchemes)).toEqual(['apiKey']);
  });

  it('reads guides from ContentItems and docs/*.md, by order then title', () => {
    expect(catalog.guides.map((g) => [g.slug, g.title, g.order])).toEqual([
      ['getting-started', 'Getting started', 1],
      ['shop-welcome', 'Welcome', 1],
    ]);
    expect(catalog.guides[0]).toMatchObject({ description: 'From sign-up to the first call.', markdown: '# Getting started\n\nSign up, subscribe, call.\n' });
    expect(catalog.guides[1]).toMatchObject({ markdown: '# Welcome\n\nStart here.', parent: { kind: 'APIPortal', key: 'shop/shop-portal' } });
  });
});

describe('versioned APIs', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'versioned'));

  it('orders versions by semantic release, newest first, not by name', () => {
    expect(errors(catalog)).toEqual([]);
    expect(catalog.apis[0]!.versions.map((v) => `${v.name}@${v.release}`)).toEqual(['orders-v10@10.0.0', 'orders-v2@2.0.0', 'orders-v1@1.2.0']);
  });

  it('replaces servers with override.servers and marks deprecated versions', () => {
    const [v10, v2, v1] = catalog.apis[0]!.versions;
    expect(v2!.servers).toEqual([{ url: 'https://gateway.example.test/orders/v2' }]);
    expect(v2!.spec!.document.servers).toEqual([{ url: 'https://gateway.example.test/orders/v2' }]);
    expect(v10!.servers).toEqual([{ url: 'https://origin.example.test/orders/v10' }]);
    expect([v10!.deprecated, v2!.deprecated, v1!.deprecated]).toEqual([false, false, true]);
    expect(v1!.spec!.sourceVersion).toBe('3.0.3');
    expect(v1!.spec!.document.openapi).toMatch(/^3\.1\./);
  });
});

describe('multi-file documents', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'multi-file'));
  const version = catalog.apis[0]!.versions[0]!;

  it('bundles relative $refs across files and folders', () => {
    expect(errors(catalog)).toEqual([]);
    expect(version.spec!.files.sort()).toEqual([
      'specs/pets/more/owner.yaml',
      'specs/pets/openapi.yaml',
      'specs/pets/paths/pet.yaml',
      'specs/pets/paths/pets.yaml',
      'specs/pets/schemas/family.yaml',
      'specs/pets/schemas/pet.yaml',
    ]);
    const list = version.operations.find((o) => o.operationId === 'listPets')!;
    const schema = (list.responses['200'] as any).content['application/json'].schema;
    // Schemas in other files are hoisted into components, named after their file or pointer (issue 18, item 2).
    const schemas = (version.spec!.document.components as any).schemas;
    expect(schema.items).toEqual({ $ref: '#/components/schemas/pet' });
    expect(schemas.pet.properties.owner).toEqual({ $ref: '#/components/schemas/Owner' });
    expect(schemas.Owner.properties.email).toEqual({ type: 'string', format: 'email' });
    // A ref from another file back into the root document stays a local ref.
    expect((list.responses.default as any).content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(list.source.file).toBe('specs/pets/paths/pets.yaml');
  });

  it('hoists a recursive schema into components instead of looping', () => {
    const schemas = (version.spec!.document.components as any).schemas;
    expect(Object.keys(schemas).sort()).toEqual(['Error', 'Owner', 'family', 'pet']);
    expect(schemas.family.properties.children.items).toEqual({ $ref: '#/components/schemas/family' });
  });
});

describe('Swagger 2.0', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'swagger2'));
  const version = catalog.apis[0]!.versions[0]!;

  it('converts to OpenAPI 3.1: servers, request bodies, form data, schemas, security', () => {
    expect(errors(catalog)).toEqual([]);
    expect(version.spec!.sourceVersion).toBe('2.0');
    expect(version.servers).toEqual([{ url: 'https://track.example.test/v1' }]);
    const record = version.operations.find((o) => o.operationId === 'recordEvent')!;
    expect(record.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Event' } } } });
    expect(record.parameters).toEqual([{ in: 'query', name: 'dryRun', schema: { type: 'boolean', default: false } }]);
    const upload = version.operations.find((o) => o.operationId === 'uploadPhoto')!;
    expect(Object.keys((upload.requestBody as any).content)).toEqual(['multipart/form-data']);
    expect((version.spec!.document.components as any).schemas.Event.properties.note.type).toEqual(['string', 'null']);
    expect(version.securitySchemes).toEqual({ key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
  });
});

describe('Tyk Operator content', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'tyk'));

  it('reads a TykOasApiDefinition from its ConfigMap, with x-tyk-api-gateway', () => {
    expect(errors(catalog)).toEqual([]);
    const invoices = catalog.apis.find((a) => a.key === 'billing/invoices')!;
    expect(invoices.title).toBe('Invoices');
    expect(invoices.gateway).toEqual({ gateway: 'tyk', flavour: 'oas', listenPath: '/invoices/', upstreamUrl: 'http://invoices.billing.svc:8080', authentication: ['authToken'] });
    expect(invoices.versions[0]!.origin).toEqual({ kind: 'configmap', configMap: 'billing/invoices-oas', key: 'invoices.json', file: 'invoices.yaml' });
    expect(invoices.versions[0]!.operations.map((o) => o.operationId)).toEqual(['listInvoices']);
  });

  it('reads a classic ApiDefinition without OpenAPI', () => {
    const legacy = catalog.apis.find((a) => a.key === 'billing/legacy-billing')!;
    expect(legacy.gateway).toEqual({ gateway: 'tyk', flavour: 'classic', listenPath: '/legacy-billing', upstreamUrl: 'http://legacy-billing.billing.svc', authentication: ['authToken'] });
    expect(legacy.versions[0]!.operations).toEqual([]);
  });

  it('turns a SecurityPolicy into a plan and a self-service offer', () => {
    expect(catalog.plans).toMatchObject([
      { key: 'billing/invoices-standard', title: 'Invoices standard', rateLimit: { requests: 50, periodSeconds: 60 }, quota: { requests: 5000, periodSeconds: 86400 } },
    ]);
    expect(catalog.items).toMatchObject([{ key: 'billing/invoices-standard', apis: ['billing/invoices'], plan: 'billing/invoices-standard', visibility: { everyone: true }, selfService: true }]);
  });
});

describe('legacy Traefik Hub shape', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'portico-legacy-'));
  temps.push(root);
  const legacyDir = path.resolve(import.meta.dirname, '../fixtures/shared-examples/traefik-hub/legacy');
  cpSync(legacyDir, root, { recursive: true });
  writeFileSync(
    path.join(root, 'openapi.yaml'),
    [
      'openapi: 3.0.3',
      'info: { title: Weather, version: 1.0.0 }',
      'paths:',
      '  /weather:',
      '    get: { operationId: getForecast, responses: { "200": { description: OK } } }',
      '  /weather/{id}:',
      '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
      '    patch: { operationId: patchForecast, responses: { "200": { description: OK } } }',
      '',
    ].join('\n'),
  );
  const catalog = await loadCatalog(root);
  const inFile = (name: string) => catalog.diagnostics.filter((d) => d.file === name);

  it('migrates spec.pathPrefix/spec.service in memory and says how to move', () => {
    const api = catalog.apis.find((a) => a.id.name === 'customer-api')!;
    expect(api.gateway).toEqual({ gateway: 'traefik-hub', legacy: true });
    expect(api.versions[0]!.origin).toMatchObject({ kind: 'path', file: 'openapi.yaml', declaredPath: '/openapi.yaml' });
    const legacy = inFile('hub-gitops-pre-v3-shape-2024-02.yaml').filter((d) => d.rule === 'legacy');
    expect(legacy.map((d) => [d.line, d.severity])).toEqual([
      [12, 'warning'], // API spec.pathPrefix
      [23, 'warning'], // APIGateway
    ]);
    expect(legacy[0]!.message).toContain('before March 2024');
    expect(legacy[0]!.hint).toContain('hub.traefik.io/api: customer-api');
  });

  it('reports the missing document separator in the published example, naming the key', () => {
    // Upstream concatenated api-portal.yaml and api-collections.yaml without a `---` between them.
    expect(
      inFile('hub-gitops-pre-v3-shape-2024-02.yaml')
        .filter((d) => d.rule === 'yaml')
        .map((d) => [d.line, d.message]),
    ).toEqual([
      [51, 'cannot parse YAML: the key "apiVersion" appears twice in one mapping (is a `---` missing between two documents?)'],
      [52, 'cannot parse YAML: the key "kind" appears twice in one mapping (is a `---` missing between two documents?)'],
      [53, 'cannot parse YAML: the key "metadata" appears twice in one mapping (is a `---` missing between two documents?)'],
      [57, 'cannot parse YAML: the key "spec" appears twice in one mapping (is a `---` missing between two documents?)'],
    ]);
  });

  it('reads a removed APIAccess as a catalog item, with its operation sets', () => {
    const external = catalog.items.find((i) => i.id.name === 'access-control-apimanagement-complex-weather-external')!;
    expect(external).toMatchObject({
      visibility: { everyone: false, groups: ['external'] },
      apis: ['apps/access-control-apimanagement-complex-weather'],
      operationFilter: ['get-forecast'],
      selfService: false,
    });
    const ops = catalog.apis.find((a) => a.id.name === 'access-control-apimanagement-complex-weather')!.versions[0]!.operations;
    expect(ops.map((o) => [o.operationId, o.operationSets])).toEqual([
      ['getForecast', ['get-forecast']],
      // pathPrefix /weather/0 (a request path) covers the template /weather/{id}.
      ['patchForecast', ['patch-forecast']],
    ]);
    expect(inFile('hub-tutorial-operationsets-apiaccess-2024-11.yaml').map((d) => [d.line, d.rule])).toEqual([
      [24, 'legacy'],
      [40, 'legacy'],
    ]);
  });
});

describe('broken content', async () => {
  const catalog = await loadCatalog(path.join(fixtures, 'broken'));
  const at = (file: string) => catalog.diagnostics.filter((d) => d.file === file);

  it('never throws, and still returns what it could read', () => {
    expect(catalog.apis.map((a) => a.id.name).sort()).toEqual(['dangling', 'escape', 'invalid', 'nofile']);
  });

  it('reports invalid YAML and JSON at the line and column', () => {
    expect(at('bad.yaml')).toMatchObject([{ severity: 'error', rule: 'yaml', line: 6, message: expect.stringContaining('cannot parse YAML') }]);
    expect(at('broken.json')).toMatchObject([{ severity: 'error', rule: 'yaml', line: 5, column: 3, message: expect.stringContaining('cannot parse JSON') }]);
  });

  it('reports unknown references with the field that holds them', () => {
    const refs = at('refs.yaml').filter((d) => d.rule === 'reference');
    expect(refs.map((d) => [d.line, d.column, d.message])).toEqual([
      [9, 13, 'APICatalogItem dangling refers to API "ghost", which does not exist in namespace default'],
      [11, 11, 'APICatalogItem dangling refers to APIPlan "gold", which does not exist in namespace default'],
    ]);
  });

  it('reports a duplicate identity and keeps the first', () => {
    expect(at('dup.yaml')).toMatchObject([{ rule: 'duplicate', line: 11, message: 'APIPlan "default/twice" is defined twice; the first definition (dup.yaml:4) is used' }]);
    expect(catalog.plans.filter((p) => p.id.name === 'twice').map((p) => p.title)).toEqual(['First']);
  });

  it('reports a spec that fails validation, in the spec file', () => {
    const d = at('specs/invalid.yaml').filter((x) => x.rule === 'openapi' && x.severity === 'error');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]).toMatchObject({ line: 2, message: expect.stringContaining('title') });
  });

  it('reports a $ref to a missing file where the $ref is written', () => {
    expect(at('specs/dangling.yaml')).toMatchObject([{ severity: 'error', rule: 'openapi', line: 15, message: `$ref "./missing.yaml" points to specs/missing.yaml, which does not exist` }]);
  });

  it('refuses a $ref that leaves the content root', () => {
    expect(at('specs/escape.yaml')).toMatchObject([{ severity: 'error', rule: 'openapi', line: 15, message: expect.stringContaining('points outside the content root') }]);
  });

  it('says where it looked when openApiSpec.path names no file', () => {
    expect(at('api-nofile.yaml')).toMatchObject([
      {
        severity: 'error',
        rule: 'openapi',
        line: 7,
        message:
          'API nofile: no file for openApiSpec.path "/nowhere.yaml"; looked for nofile/nowhere.yaml, nowhere.yaml; and in the cluster: no IngressRoute, Ingress or HTTPRoute in namespace default is annotated hub.traefik.io/api: nofile, so no Service is known to serve it',
      },
    ]);
  });
});

describe('a content root that does not exist', () => {
  it('is one clear diagnostic, not an exception', async () => {
    const catalog = await loadCatalog('/nonexistent/portico-content');
    expect(catalog.diagnostics).toMatchObject([{ severity: 'error', message: expect.stringContaining('does not exist') }]);
  });
});
