import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { describeFailedApis, publishedCatalog } from '../../src/lib/catalog/published.ts';
import { summariseCatalog } from '../../src/lib/catalog/summary.ts';
import { formatSummary } from '../../src/cli/format.ts';

// DESIGN.md section 3: one broken API never hides the others. traefik-airlines as published
// (tests/fixtures/real/traefik-airlines), with the ConfigMap that holds the tickets spec removed.
// flux/management applies apis/*/api.yaml, so that is where each API is.
const airlines = path.resolve(import.meta.dirname, '../fixtures/real/traefik-airlines');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function airlinesWithoutTicketsSpec(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'portico-airlines-broken-'));
  temps.push(root);
  cpSync(airlines, root, { recursive: true });
  rmSync(path.join(root, 'apps/tickets/oas.yaml'));
  // And from the kustomizations that name it, as a platform team would remove it.
  for (const k of ['gateway', 'management', 'proxy']) {
    const file = path.join(root, 'flux', k, 'kustomization.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  - ../../apps/tickets/oas.yaml\n', ''));
  }
  return root;
}

describe('a repository with one broken API', async () => {
  const catalog = await loadCatalog(airlinesWithoutTicketsSpec(), { offline: true });

  it('names the broken API and why, and no other', () => {
    expect(catalog.failedApis).toMatchObject([
      {
        key: 'traefik-airlines/tickets-api',
        source: { file: 'apis/tickets/api.yaml', line: 3 },
        reasons: [
          {
            severity: 'error',
            rule: 'openapi',
            file: 'apis/tickets/api.yaml',
            line: 9,
            message: expect.stringContaining('no ConfigMap named tickets-openapi in namespace traefik-airlines'),
          },
        ],
      },
    ]);
  });

  it('keeps every API in the model, and publishes the other three with their operations', () => {
    expect(catalog.apis.map((a) => a.key)).toEqual(['customers', 'employees', 'flights', 'tickets'].map((n) => `traefik-airlines/${n}-api`));
    const published = publishedCatalog(catalog);
    expect(published.apis.map((a) => [a.key, a.versions[0]!.operations.length])).toEqual(['customers', 'employees', 'flights'].map((n) => [`traefik-airlines/${n}-api`, 5]));
    expect(published.failedApis).toEqual(catalog.failedApis);
  });

  it('takes the broken API out of the catalog items and subscriptions that list it, and nothing else', () => {
    const published = publishedCatalog(catalog);
    expect(catalog.items.map((i) => [i.key, i.apis])).toEqual([
      ['traefik-airlines/traefik-airlines-customers', ['traefik-airlines/flights-api', 'traefik-airlines/tickets-api']],
      ['traefik-airlines/traefik-airlines-employees', ['traefik-airlines/customers-api', 'traefik-airlines/employees-api', 'traefik-airlines/flights-api', 'traefik-airlines/tickets-api']],
    ]);
    expect(published.items.map((i) => [i.key, i.apis, i.plan])).toEqual([
      ['traefik-airlines/traefik-airlines-customers', ['traefik-airlines/flights-api'], 'traefik-airlines/traefik-airlines-silver-plan'],
      [
        'traefik-airlines/traefik-airlines-employees',
        ['traefik-airlines/customers-api', 'traefik-airlines/employees-api', 'traefik-airlines/flights-api'],
        'traefik-airlines/traefik-airlines-gold-plan',
      ],
    ]);
    expect(published.subscriptions.map((s) => s.apis)).toEqual([
      ['traefik-airlines/flights-api'],
      ['traefik-airlines/employees-api', 'traefik-airlines/customers-api', 'traefik-airlines/flights-api'],
    ]);
    expect(published.plans).toEqual(catalog.plans);
    expect(published.diagnostics).toEqual(catalog.diagnostics);
  });

  it('says it in the build output: which API, where, and each reason with file:line', () => {
    const lines = describeFailedApis(catalog.failedApis, publishedCatalog(catalog).apis.length);
    expect(lines[0]).toBe('1 of 4 APIs is left out of the site, because of errors of their own; the other 3 are published:');
    expect(lines[1]).toBe('  API traefik-airlines/tickets-api (apis/tickets/api.yaml:3):');
    expect(lines[2]).toMatch(
      /^ {4}apis\/tickets\/api\.yaml:9:11 API tickets-api: no file for openApiSpec\.path "\/openapi\.yaml"; .*no ConfigMap named tickets-openapi .*\(spec\.openApiSpec\.path\)$/,
    );
    expect(lines).toHaveLength(3);
  });

  it('and `portico catalog` lists it apart, still counting the error', () => {
    const text = formatSummary(summariseCatalog(catalog));
    expect(text).toContain('Left out of the site (1 of 4 APIs)\n  traefik-airlines/tickets-api  apis/tickets/api.yaml:3\n    apis/tickets/api.yaml:9:11 API tickets-api:');
    expect(summariseCatalog(catalog).stats.errors).toBeGreaterThan(0);
  });
});

describe('what makes an API fail', () => {
  it('an error in its own resource fails it; an error elsewhere does not', async () => {
    const root = airlinesWithoutTicketsSpec();
    const flights = path.join(root, 'apis/flights/api.yaml');
    // A CRD schema error in the API itself (servers must be URLs), and a catalog item naming a plan that does not exist.
    writeFileSync(flights, readFileSync(flights, 'utf8').replace('- url: http://flights.airlines.traefik.localhost:8080', '- url: 42'));
    const item = path.join(root, 'catalog-items/airlines-customer.yaml');
    writeFileSync(item, readFileSync(item, 'utf8').replace('name: traefik-airlines-silver-plan', 'name: no-such-plan'));
    const catalog = await loadCatalog(root, { offline: true });
    expect(catalog.failedApis.map((f) => [f.key, f.reasons.map((r) => `${r.file}:${r.line} ${r.rule}`)])).toEqual([
      ['traefik-airlines/flights-api', ['apis/flights/api.yaml:12 resource', 'apis/flights/api.yaml:12 resource']], // not a string, not a URL
      ['traefik-airlines/tickets-api', ['apis/tickets/api.yaml:9 openapi']],
    ]);
    expect(catalog.diagnostics).toContainEqual(expect.objectContaining({ file: 'catalog-items/airlines-customer.yaml', rule: 'reference', severity: 'error' }));
  });

  it('a repository without errors has no failed API, and publishes its catalog as it is', async () => {
    const catalog = await loadCatalog(path.resolve(import.meta.dirname, '../fixtures/catalog/hub-basic'));
    expect(catalog.failedApis).toEqual([]);
    expect(publishedCatalog(catalog)).toBe(catalog);
    expect(describeFailedApis(catalog.failedApis, catalog.apis.length)).toEqual([]);
  });
});
