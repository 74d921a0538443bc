import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { answerDemoRequest, buildDemoRoutes, startDemoUpstream, type DemoRoute } from '../../src/lib/gateway/demo-upstream.ts';

const content = path.resolve(import.meta.dirname, '../../content');
const shipmentsSpec = path.join(content, 'clusters/production/logistics/apis/shipments/shipments-v2/openapi.yaml');

let demoRoutes: DemoRoute[];
let ownRoutes: DemoRoute[];
let ownRoot: string;

/** A small content root of our own, for what the demo content does not show (closed schemas, CSV, 204). */
function writeOwnContent(root: string) {
  mkdirSync(path.join(root, 'parcels'), { recursive: true });
  writeFileSync(
    path.join(root, 'parcels/api.yaml'),
    ['apiVersion: hub.traefik.io/v1alpha1', 'kind: API', 'metadata:', '  name: parcels', '  namespace: demo', 'spec:', '  title: Parcels', '  openApiSpec:', '    path: /openapi.yaml', ''].join('\n'),
  );
  writeFileSync(
    path.join(root, 'parcels/openapi.yaml'),
    `openapi: 3.1.0
info: { title: Parcels, version: 1.0.0 }
servers:
  - url: '{scheme}://localhost:8080/parcels/{version}'
    variables:
      scheme: { default: http }
      version: { default: v1 }
paths:
  /parcels:
    post:
      operationId: createParcel
      responses:
        '201':
          description: Created.
          headers:
            Location: { schema: { type: string }, example: /parcels/v1/parcels/P-1 }
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Parcel' }
              example: { id: P-1, weightKg: 2.5 }
        '400': { description: Bad. }
  /parcels/export.csv:
    get:
      operationId: exportParcels
      responses:
        '200':
          description: CSV.
          content:
            text/csv:
              schema: { type: string }
              example: "id,weightKg\\nP-1,2.5\\n"
  /parcels/{parcelId}:
    get:
      operationId: getParcel
      parameters: [{ name: parcelId, in: path, required: true, schema: { type: string } }]
      responses:
        '200':
          description: One parcel.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Parcel' }
    delete:
      operationId: deleteParcel
      parameters: [{ name: parcelId, in: path, required: true, schema: { type: string } }]
      responses:
        '204': { description: Deleted. }
components:
  schemas:
    Parcel:
      type: object
      additionalProperties: false
      properties:
        id: { type: string, example: P-7 }
        weightKg: { type: number, example: 1.25 }
`,
  );
}

beforeAll(async () => {
  demoRoutes = buildDemoRoutes(await loadCatalog(content, { offline: true }));
  ownRoot = mkdtempSync(path.join(tmpdir(), 'portico-upstream-'));
  writeOwnContent(ownRoot);
  const own = await loadCatalog(ownRoot, { offline: true });
  expect(own.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  ownRoutes = buildDemoRoutes(own);
}, 60_000);

afterAll(() => rmSync(ownRoot, { recursive: true, force: true }));

describe('the demo upstream', () => {
  it("answers an operation of the demo content with the spec's own example, unchanged, and says it is a demo in a header", () => {
    const answer = answerDemoRequest(demoRoutes, 'GET', '/shipments/v2/locations/NL-AMS-HUB1');
    const spec = parse(readFileSync(shipmentsSpec, 'utf8'));
    const example = spec.paths['/locations/{locationId}'].get.responses['200'].content['application/json'].example;
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'X-Portico-Demo': 'true', 'Content-Type': 'application/json' });
    expect(JSON.parse(answer.body)).toEqual(example);
  });

  it("serves every API version under its servers' path, Swagger 2.0 and override.servers included", () => {
    expect(answerDemoRequest(demoRoutes, 'GET', '/shipments/v1/shipments').status).toBe(200);
    expect(answerDemoRequest(demoRoutes, 'GET', '/tracking/parcels/1Z999AA10123456784').status).toBe(200);
    expect(answerDemoRequest(demoRoutes, 'GET', '/shipments/v2/locations/NL-AMS-HUB1/').status).toBe(200);
    // A literal path segment wins over a template parameter.
    expect(answerDemoRequest(ownRoutes, 'GET', '/parcels/v1/parcels/export.csv').headers['Content-Type']).toBe('text/csv');
  });

  it('sends the example as the schema has it, with the demo header beside it', () => {
    const answer = answerDemoRequest(ownRoutes, 'GET', '/parcels/v1/parcels/P-9');
    expect(answer.status).toBe(200);
    expect(answer.headers['X-Portico-Demo']).toBe('true');
    // No authored example: one made from the schema's property examples.
    expect(JSON.parse(answer.body)).toEqual({ id: 'P-7', weightKg: 1.25 });
  });

  it('uses the success status, Location and media type the spec declares', () => {
    const created = answerDemoRequest(ownRoutes, 'POST', '/parcels/v1/parcels');
    expect(created).toMatchObject({ status: 201, headers: { Location: '/parcels/v1/parcels/P-1' } });
    expect(JSON.parse(created.body)).toEqual({ id: 'P-1', weightKg: 2.5 });
    const csv = answerDemoRequest(ownRoutes, 'GET', '/parcels/v1/parcels/export.csv');
    expect(csv).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/csv' }, body: 'id,weightKg\nP-1,2.5\n' });
    expect(answerDemoRequest(ownRoutes, 'DELETE', '/parcels/v1/parcels/P-1')).toMatchObject({ status: 204, body: '' });
  });

  it('says in words what it does not serve: 405 with Allow for another method, 404 for another path', () => {
    const wrongMethod = answerDemoRequest(ownRoutes, 'PUT', '/parcels/v1/parcels/P-1');
    expect(wrongMethod).toMatchObject({ status: 405, headers: { Allow: 'DELETE, GET', 'Content-Type': 'application/problem+json', 'X-Portico-Demo': 'true' } });
    const unknown = answerDemoRequest(ownRoutes, 'GET', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).detail).toContain('has no operation for GET /nothing/here');
  });

  it('serves the answers over HTTP on loopback, readable cross-origin, HEAD without a body', async () => {
    const upstream = await startDemoUpstream(await loadCatalog(ownRoot, { offline: true }));
    try {
      expect(upstream.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${upstream.url}/parcels/v1/parcels`, { method: 'POST', body: JSON.stringify({ ignored: true }) });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-portico-demo')).toBe('true');
      expect(await res.json()).toEqual({ id: 'P-1', weightKg: 2.5 });
      // A console on the portal's origin may read it directly (CORS), preflight included.
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const preflight = await fetch(`${upstream.url}/parcels/v1/parcels`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://127.0.0.1:4321', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-api-key' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-api-key');
      const head = await fetch(`${upstream.url}/parcels/v1/parcels/P-1`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await upstream.close();
    }
  });
});
