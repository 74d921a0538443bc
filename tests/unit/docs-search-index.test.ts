import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { buildOperationIndex, matchOperations, type OperationIndex } from '../../src/lib/docs/operation-index.ts';
import { operationToMarkdown, siteToLlmsTxt } from '../../src/lib/docs/operation-markdown.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { contentTypeOfStatic } from '../../src/lib/server/static-cache.ts';

let catalog: Catalog;
let site: DocsSite;
let index: OperationIndex;

beforeAll(async () => {
  catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../content'), { offline: true });
  site = buildDocsSite(catalog);
  index = buildOperationIndex(site);
}, 60_000);

const first = (q: string) => matchOperations(index, q)[0];

describe('the exact operation index of the demo site', () => {
  it('names "METHOD /path" first, the current version before the deprecated one', () => {
    expect(first('GET /shipments')).toMatchObject({ url: '/apis/shipments/shipments-v2/operations/listShipments/', method: 'GET', path: '/shipments', api: 'Shipments', deprecated: false });
    expect(
      matchOperations(index, 'get /shipments')
        .map((h) => h.url)
        .slice(0, 2),
    ).toEqual(['/apis/shipments/shipments-v2/operations/listShipments/', '/apis/shipments/shipments-v1/operations/listShipmentsV1/']);
    expect(first('POST /shipments')?.operationId).toBe('createShipment');
    expect(first('DELETE /shipments/{shipmentId}')?.operationId).toBe('cancelShipment');
  });

  it('names an operationId first, in any case, and from its first characters', () => {
    expect(first('listShipments')).toMatchObject({ operationId: 'listShipments', version: expect.any(String), api: 'Shipments' });
    expect(first('LISTSHIPMENTS')?.operationId).toBe('listShipments');
    expect(first('listShipmentE')?.operationId).toBe('listShipmentEvents');
  });

  it('names a path fragment: parameter names do not matter, the GET and the current version come first', () => {
    expect(first('/shipments/{id}')).toMatchObject({ operationId: 'getShipment', path: '/shipments/{shipmentId}', method: 'GET' });
    expect(first('/shipments/{id}/events')?.operationId).toBe('listShipmentEvents');
    expect(first('{shipmentId}/label')?.operationId).toBe('getShipmentLabel');
  });

  it('leaves free text to the full-text index', () => {
    expect(matchOperations(index, 'parcel weight limits')).toEqual([]);
    expect(matchOperations(index, '   ')).toEqual([]);
  });

  it('holds only public operations and stays small', () => {
    const json = JSON.stringify(index);
    for (const secret of ['partner-rates', 'getRateCard', 'fleet-telemetry', 'getVehicleTelemetry']) expect(json).not.toContain(secret);
    expect(index.ops.length).toBe(site.apis.flatMap((a) => a.versions).reduce((n, v) => n + v.operations.length, 0));
    expect(gzipSync(json).length).toBeLessThan(4096);
  });
});

describe('the Markdown twins and /llms.txt', () => {
  it('writes an operation as Markdown: method, path, description, parameters, body fields, responses and curl', () => {
    const { api, version } = findVersion(site, 'shipments', 'shipments-v2')!;
    const op = version.operations.find((o) => o.operationId === 'createShipment')!;
    const md = operationToMarkdown(api, version, op);
    expect(md).toMatch(/^# .+\n\n```http\nPOST \/shipments\n```/);
    expect(md).toContain('operationId `createShipment`');
    expect(md).toContain('## Request body (required)');
    expect(md).toMatch(/\| Field \| Type \| Required \| Description \|/);
    expect(md).toMatch(/## Responses\n\n\| Status \| Description \| Content \|\n\| --- \| --- \| --- \|\n\| `200` \| A shipment with this `Idempotency-Key` already exists/);
    expect(md).toContain('| `201` | The shipment was created. | `application/json` |');
    expect(md).toMatch(/## Example request\n\n```sh\ncurl -X POST /);
    // The twin's curl is the page's curl sample, body and all.
    const pageCurl = buildOperationView(api, version, op).samples.find((s) => s.lang === 'curl')!.code;
    expect(md).toContain(`\`\`\`sh\n${pageCurl}\n\`\`\``);
    const list = version.operations.find((o) => o.operationId === 'listShipments')!;
    expect(operationToMarkdown(api, version, list)).toMatch(/## Parameters\n\n\| Name \| In \| Type \| Required \| Description \|\n\| --- \| --- \| --- \| --- \| --- \|\n\| `[a-z_]+` \| query \|/);
  });

  it('lists every public API version and operation in /llms.txt, linked to their twins, and nothing private', () => {
    const txt = siteToLlmsTxt(site);
    expect(txt).toMatch(/^# Kestrel Developer Portal\n\n> /);
    for (const api of site.apis)
      for (const v of api.versions) {
        expect(txt).toContain(`## ${api.api.title}, version ${v.version.name}`);
        for (const op of v.operations) expect(txt).toContain(`(${v.href}operations/${v.operationSlugs.get(op)}/index.md)`);
      }
    for (const secret of ['Partner Rates', 'partner-rates', 'getRateCard', 'Fleet Telemetry', 'getVehicleTelemetry']) expect(txt).not.toContain(secret);
  });

  it('serves twins as text/markdown and llms.txt as text, in UTF-8', () => {
    expect(contentTypeOfStatic('/apis/shipments/shipments-v2/operations/listShipments/index.md')).toBe('text/markdown; charset=utf-8');
    expect(contentTypeOfStatic('/llms.txt')).toBe('text/plain; charset=utf-8');
    expect(contentTypeOfStatic('/apis/shipments/')).toBeUndefined();
  });
});
