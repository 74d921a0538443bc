import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { buildDocsSite, findVersion } from '../../src/lib/docs/site.ts';
import { noAuthenticationNote } from '../../src/lib/docs/security.ts';
import { publishedDocument } from '../../src/lib/docs/spec-download.ts';
import { lintContent } from '../../src/lib/lint/run.ts';

// Authentication as the gateway enforces it (issue 13, item 4): Tyk from the tyk-operator samples as
// published (tests/fixtures/real/tyk-operator/PROVENANCE.md), Traefik Hub's APIAuth from a small
// synthetic repository (tests/fixtures/gateway/hub-apiauth/README.md), since no real one has an APIAuth.
const real = path.resolve(import.meta.dirname, '../fixtures/real');
const samples = path.join(real, 'tyk-operator/config/samples');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A content root holding only these sample files, as published: their API names clash with other samples. */
async function loadSamples(...files: string[]): Promise<Catalog> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-auth-'));
  temps.push(dir);
  for (const f of files) cpSync(path.join(samples, f), path.join(dir, path.basename(f)));
  return loadCatalog(dir, { offline: true });
}

function version(catalog: Catalog, key: string) {
  const api = catalog.apis.find((a) => a.key === key);
  expect(api, key).toBeDefined();
  return api!.versions[0]!;
}

describe('classic Tyk ApiDefinitions: the use_* switches are the authentication', async () => {
  const tyk = await loadCatalog(path.join(real, 'tyk-operator'), { offline: true });

  it('use_standard_auth with auth_configs.authToken.auth_header_name asks for the token in that header', async () => {
    const v = version(await loadSamples('httpbin_protected.yaml'), 'default/httpbin');
    expect(v.securitySchemes).toEqual({ authToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }) });
    expect(v.gatewayAuth).toMatchObject({ resource: 'ApiDefinition default/httpbin', keyless: false, replacedSpec: true, source: { file: 'httpbin_protected.yaml', line: 2 } });
  });

  it('basic auth, JWT, OAuth 2.0 client credentials and basic plus mutual TLS, each as the gateway checks it', () => {
    expect(version(tyk, 'default/httpbin-basic-auth').securitySchemes).toEqual({ basicAuth: expect.objectContaining({ type: 'http', scheme: 'basic' }) });
    expect(version(tyk, 'tyk/httpbin').securitySchemes).toEqual({ jwt: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }) });
    expect(version(tyk, 'default/client-credentials-api').securitySchemes).toEqual({
      oauth2: expect.objectContaining({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/httpbin/oauth/token', scopes: {} } } }),
    });
    expect(Object.keys(version(tyk, 'default/httpbin-multiple-authentications').securitySchemes)).toEqual(['basicAuth', 'mutualTLS']);
  });

  it('use_keyless: true is public, "no key needed", and lint does not call it an orphan', async () => {
    const v = version(tyk, 'default/httpbin-cache');
    expect(v.gatewayAuth).toMatchObject({ keyless: true, schemes: {} });
    expect(v.securitySchemes).toEqual({});
    const result = await lintContent(path.join(real, 'tyk-operator'), { offline: true });
    const orphans = result.diagnostics.filter((d) => d.rule === 'orphan').map((d) => d.message);
    expect(orphans.some((m) => m.includes('default/httpbin-cache'))).toBe(false);
    // An API that needs a key and that no policy grants is still an orphan.
    expect(orphans).toContain('ApiDefinition default/httpbin-basic-auth is in no catalog item, bundle or subscription, so no portal shows it');
  });
});

describe('Tyk OAS: x-tyk-api-gateway.server.authentication', () => {
  it('an enabled scheme the document does not declare goes into the normalised spec, for every operation', async () => {
    const v = version(await loadSamples('oas/oas-protected.yaml'), 'default/petstore-protected');
    expect(v.gatewayAuth).toMatchObject({ resource: 'TykOasApiDefinition default/petstore-protected', keyless: false, replacedSpec: true });
    expect(v.securitySchemes).toEqual({ basicAuth: expect.objectContaining({ type: 'http', scheme: 'basic' }) });
    const doc = v.spec!.document as { components: { securitySchemes: object }; security: unknown };
    expect(doc.components.securitySchemes).toEqual(v.securitySchemes);
    expect(doc.security).toEqual([{ basicAuth: [] }]);
  });

  it('a document without authentication is keyless', async () => {
    const v = version(await loadSamples('oas/petstore.yaml'), 'default/petstore');
    expect(v.gatewayAuth).toMatchObject({ keyless: true });
  });
});

describe("Traefik Hub: the namespace's default APIAuth", async () => {
  const root = path.resolve(import.meta.dirname, '../fixtures/gateway/hub-apiauth');
  const catalog = await loadCatalog(root, { offline: true });

  it('an API key from a header, where the spec declared nothing: on the pages, the samples, Try it and the download', () => {
    const site = buildDocsSite(catalog);
    const { api, version: v } = findVersion(site, 'parcels')!;
    expect(v.version.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }) });
    const view = buildOperationView(api, v, v.operations[0]!);
    expect(view.security).toEqual([{ schemes: [{ name: 'apiKey', scopes: [], words: expect.stringContaining('X-API-Key') }] }]);
    expect(view.authNote).toBe('From the gateway configuration, APIAuth shop/shop-keys (resources.yaml:2): the gateway checks this, whatever the OpenAPI document declares.');
    expect(view.anonymous).toBe(false);
    expect(view.samples.find((s) => s.lang === 'curl')!.code).toContain('X-API-Key');
    expect(view.tryIt?.auth).toEqual({ kind: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(publishedDocument(v)).toMatchObject({ security: [{ apiKey: [] }], components: { securitySchemes: { apiKey: { type: 'apiKey', name: 'X-API-Key' } } } });
  });

  it('a JWT replaces the API key header the spec declared, since the gateway checks the JWT', () => {
    const v = version(catalog, 'hr/people');
    expect(v.securitySchemes).toEqual({ jwt: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }) });
    expect(v.operations[0]!.security).toEqual([{ jwt: [] }]);
    const paths = (v.spec!.document as { paths: Record<string, Record<string, object>> }).paths;
    expect(paths['/people']!.get).not.toHaveProperty('security');
  });

  it('keyless makes every operation open, though the spec asked for a bearer token', () => {
    const v = version(catalog, 'status/status');
    expect(v.gatewayAuth).toMatchObject({ keyless: true, replacedSpec: true, resource: 'APIAuth status/open' });
    expect(v.operations[0]!.security).toEqual([]);
    expect(v.securitySchemes).toEqual({});
  });

  it('a second default in a namespace is a warning (the first is used); one that is no default is named as unused', () => {
    expect(version(catalog, 'shop/parcels').gatewayAuth?.resource).toBe('APIAuth shop/shop-keys');
    expect(catalog.diagnostics.filter((d) => d.message.startsWith('APIAuth')).map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule} ${d.message}`)).toEqual([
      'resources.yaml:139 warning duplicate APIAuth shop-jwt is a second default for namespace shop; Traefik Hub wants one, and Portico uses shop-keys (resources.yaml:4)',
      'resources.yaml:150 info resource APIAuth hr/hr-ldap is not the default of its namespace, and the API CRD has no field that names an APIAuth, so Portico shows it on no API',
    ]);
  });

  it('an APIAuth in another namespace does not apply: traefik-airlines has none and keeps its spec, and its pages do not call it open', async () => {
    const airlines = await loadCatalog(path.join(real, 'traefik-airlines'), { offline: true });
    expect(airlines.apis.every((a) => a.versions.every((v) => v.gatewayAuth === undefined))).toBe(true);
    const customers = airlines.apis.find((a) => a.key === 'traefik-airlines/customers-api')!;
    expect(customers.versions[0]!.securitySchemes).toEqual({});
    expect(noAuthenticationNote(customers)).toBe(
      'The OpenAPI document declares no authentication, and the repository has no default APIAuth for namespace traefik-airlines: Traefik Hub checks the credential its workspace settings choose (an API key or a JWT).',
    );
  });
});
