import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { buildDocsSite, findVersion, hrefOfOperation, type DocsSite } from '../../src/lib/docs/site.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { publishedDocument } from '../../src/lib/docs/spec-download.ts';
import { schemaBacklinks } from '../../src/lib/docs/schema-usage.ts';

let catalog: Catalog;
let site: DocsSite;

beforeAll(async () => {
  catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../content'), { offline: true });
  site = buildDocsSite(catalog);
}, 60_000);

describe('the public docs site of the demo content', () => {
  it('shows only what a catalog item shows to everyone', () => {
    expect(site.portal?.title).toBe('Kestrel Developer Portal');
    expect(site.apis.map((a) => a.api.title)).toEqual(['Kestrel Invoices', 'Legacy billing', 'Shipments', 'Tracking', 'Warehouses']);
    expect(JSON.stringify(site.plans)).not.toContain('Partner');
  });

  it('says plan limits in words and lists the APIs each plan covers', () => {
    const growth = site.plans.find((p) => p.plan.id.name === 'growth')!;
    expect(growth.limits).toBe('100 requests per 10 seconds, 100,000 requests per 30 days');
    expect(growth.apis.map((a) => a.title)).toEqual(expect.arrayContaining(['Shipments', 'Tracking', 'Warehouses']));
    expect(growth.operationFilter).toEqual(['read-only']);
  });

  it('applies operation filters: an API offered only through read-only operations shows only those', () => {
    const { version } = findVersion(site, 'warehouses')!;
    expect(version.operations.length).toBeGreaterThan(0);
    expect(version.operations.length).toBeLessThan(version.version.operations.length);
    expect(version.operations.every((op) => op.operationSets.includes('read-only'))).toBe(true);
    const paths = Object.keys(publishedDocument(version).paths as object);
    expect(paths.every((p) => /^\/(sites|inbound-notices)/.test(p))).toBe(true);
  });

  it('gives each version of a versioned API its own pages, newest first', () => {
    const shipments = site.apis.find((a) => a.slug === 'shipments')!;
    expect(shipments.versions.map((v) => v.href)).toEqual(['/apis/shipments/shipments-v2/', '/apis/shipments/shipments-v1/']);
    expect(shipments.versions[1]!.version.deprecated).toBe(true);
  });

  it('builds an operation page: parameters by location, bodies, responses, security-aware samples', () => {
    const { api, version } = findVersion(site, 'shipments', 'shipments-v2')!;
    const op = version.operations.find((o) => o.operationId === 'createShipment')!;
    const view = buildOperationView(api, version, op);
    expect(view.method).toBe('POST');
    expect(view.parameters.map((g) => g.location)).toEqual(['header']);
    expect(view.requestBody?.content[0]?.mediaType).toBe('application/json');
    expect(view.requestBody?.content[0]?.tree?.ref).toBe('ShipmentCreate');
    expect(view.responses.map((r) => r.status)).toContain('201');
    expect(view.security[0]?.schemes[0]?.words).toContain('<code>X-API-Key</code>');
    const curl = view.samples.find((s) => s.lang === 'curl')!.code;
    expect(curl).toContain('curl -X POST');
    expect(curl).toContain('X-API-Key: $API_KEY');
    expect(view.samples.find((s) => s.lang === 'python')!.code).toContain("os.environ['API_KEY']");
    expect(view.otherVersions.map((v) => v.name)).toEqual(['shipments-v2', 'shipments-v1']);
    expect(hrefOfOperation(api, version, op)).toBe('/apis/shipments/shipments-v2/operations/createShipment/');
  });

  it('links each schema back to the operations that use it, through other schemas too', () => {
    const { version } = findVersion(site, 'shipments', 'shipments-v2')!;
    const usage = schemaBacklinks(version.version.spec!.document, version.operations);
    expect(usage.get('ShipmentCreate')?.map((o) => o.operationId)).toContain('createShipment');
    // Parcel is reached only through Item, inside ShipmentCreate.
    expect(usage.get('Parcel')?.map((o) => o.operationId)).toContain('createShipment');
  });

  it('keeps guides of the portal and of visible APIs', () => {
    expect(site.guides.map((g) => g.title)).toEqual(expect.arrayContaining(['Getting started', 'Moving from Shipments v1 to v2']));
  });
});
