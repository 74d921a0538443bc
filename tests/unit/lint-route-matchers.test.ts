import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintContent } from '../../src/lib/lint/run.ts';

// Lint without false alarms (issue 13): route-conflict reads PathRegexp and Header matchers, and the
// reference rule catches a route annotated with an API that does not exist.
const fixtures = path.resolve(import.meta.dirname, '../fixtures/lint');
const findings = async (name: string, rule: string) =>
  (await lintContent(path.join(fixtures, name), { offline: true })).diagnostics.filter((d) => d.rule === rule).map((d) => `${d.file}:${d.line} ${d.severity} ${d.message}`);

describe("route-conflict understands Traefik's other matchers", () => {
  it('routes told apart by Header or HeaderRegexp, and PathRegexp routes matching different paths, do not conflict', async () => {
    expect(await findings('route-matchers-pass', 'route-conflict')).toEqual([]);
  });

  it("the same header on both routes, and a PathRegexp that matches the other API's operation, still conflict", async () => {
    expect(await findings('route-matchers-fail', 'route-conflict')).toEqual([
      'resources.yaml:45 error APIs shop/orders and shop/orders-copy both expose GET /orders on host api.example.com with header x-version=1; the gateway routes each call to only one of them',
    ]);
  });
});

describe('reference: hub.traefik.io/api and hub.traefik.io/api-version name something that exists', () => {
  it('reports each route whose annotation names a missing API or APIVersion, at the annotation', async () => {
    expect(await findings('reference-annotation-fail', 'reference')).toEqual([
      'resources.yaml:14 error IngressRoute parcels is annotated hub.traefik.io/api: parcel, but there is no API "parcel" in namespace shop',
      'resources.yaml:29 error HTTPRoute parcels-v2 is annotated hub.traefik.io/api-version: parcels-v2, but there is no APIVersion "parcels-v2" in namespace shop',
    ]);
  });
});
