import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';

// The vendors' own example manifests (provenance in tests/fixtures/shared-examples/PROVENANCE.md).
// Each file is an independent upstream sample, so each is loaded as a repository of its own.
const examples = path.resolve(import.meta.dirname, '../fixtures/shared-examples');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

async function loadAlone(relFile: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'portico-example-'));
  temps.push(root);
  cpSync(path.join(examples, relFile), path.join(root, path.basename(relFile)));
  return loadCatalog(root, { offline: true });
}

const files = ['traefik-hub', 'traefik-hub/legacy', 'tyk'].flatMap((dir) =>
  readdirSync(path.join(examples, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`),
);

describe('the published example manifests', () => {
  it('are all present', () => {
    expect(files).toHaveLength(15);
  });

  it.each(files)('%s: every resource is valid against its CRD schema', async (file) => {
    const catalog = await loadAlone(file);
    expect(catalog.diagnostics.filter((d) => d.rule === 'resource')).toEqual([]);
  });

  it('report only what is really missing from the copies (specs served by the upstream services)', async () => {
    const report = async (file: string) => (await loadAlone(file)).diagnostics.map((d) => `${d.line} ${d.severity} ${d.rule}`);
    expect(await report('traefik-hub/01-airlines-api-and-ingressroute.yaml')).toEqual(['9 error openapi']); // openapi.yaml lives in the customers service
    expect(await report('traefik-hub/02-airlines-apiplan-gold.yaml')).toEqual([]);
    expect(await report('traefik-hub/03-airlines-apicatalogitem-employees.yaml')).toEqual([
      '11 error reference',
      '12 error reference',
      '13 error reference',
      '14 error reference', // four APIs defined in files not copied
      '16 error reference', // and the plan
    ]);
    expect(await report('traefik-hub/05-airlines-apiportal-and-ingressroute.yaml')).toEqual([]);
    expect(await report('traefik-hub/06-hub-gitops-versioned-api-apiversions.yaml')).toEqual(['42 error openapi', '69 error openapi', '95 error openapi', '121 error openapi', '150 error openapi']);
  });

  it('read every Traefik Hub and Tyk kind into the model, not as bare references', async () => {
    const versioned = await loadAlone('traefik-hub/06-hub-gitops-versioned-api-apiversions.yaml');
    expect(versioned.apis.map((a) => [a.key, a.versions.map((v) => v.release)])).toEqual([['apps/customer-api-versioned', ['4.0.0', '3.0.0', '2.1.0', '2.0.0', '1.0.0']]]);
    expect(versioned.references.map((r) => r.id.kind)).toEqual(Array(5).fill('IngressRoute'));
    const tyk = await loadAlone('tyk/01-apidefinition-authtoken+securitypolicy-ratelimit-quota.yaml');
    expect(tyk.plans).toMatchObject([{ key: 'default/httpbin', rateLimit: { requests: 5, periodSeconds: 5 }, quota: { requests: 10, periodSeconds: 60 } }]);
    expect(tyk.items).toMatchObject([{ apis: ['default/httpbin'], selfService: true }]);
    const oas = await loadAlone('tyk/02-tykoas-configmap+securitypolicy.yaml');
    expect(oas.diagnostics).toEqual([]);
    expect(oas.apis).toMatchObject([
      { key: 'default/petstore-protected', title: 'Petstore', gateway: { flavour: 'oas', listenPath: '/petstore/', upstreamUrl: 'https://petstore.swagger.io/v2', authentication: ['basicAuth'] } },
    ]);
  });
});
