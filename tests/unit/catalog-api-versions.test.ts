import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeVersionSelector, versionSelectorValue } from '../../src/lib/catalog/api-versioning.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';

// Versions as the gateway serves them (issue 13, item 4): Tyk OAS `spec.versioning` from the
// tyk-operator samples, and Traefik Hub APIVersion routes from traefik-hub-gitops (both as published).
const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('Tyk OAS spec.versioning (config/samples/oas/versioning)', async () => {
  const tyk = await loadCatalog(path.join(fixtures, 'real/tyk-operator'), { offline: true });

  it('is one API with three versions, not three unrelated APIs; the default version first', () => {
    const randomz = tyk.apis.filter((a) => a.id.namespace === 'randomz');
    expect(randomz.map((a) => a.key)).toEqual(['randomz/pets']);
    const pets = randomz[0]!;
    expect(pets.versions.map((v) => v.name)).toEqual(['dogz-breeds', 'v1', 'bin']);
    expect(pets.aliases).toEqual(['randomz/dogz-breeds', 'randomz/bin']);
    // Each version keeps what its own definition says: its listen path.
    expect(pets.versions.map((v) => v.servers.map((s) => s.url))).toEqual([['/breeds/'], ['/pets/'], ['/bin/']]);
  });

  it('says how a version is chosen: the header x-api-version, dogz-breeds without one', () => {
    const pets = tyk.apis.find((a) => a.key === 'randomz/pets')!;
    expect(pets.versionSelector).toEqual({
      location: 'header',
      key: 'x-api-version',
      defaultVersion: 'dogz-breeds',
      resource: 'TykOasApiDefinition randomz/pets',
      values: { v1: 'v1', 'dogz-breeds': 'dogz-breeds', bin: 'bin' },
    });
    expect(describeVersionSelector(pets.versionSelector!)).toBe('Choose a version with the header x-api-version; without one, you get dogz-breeds (TykOasApiDefinition randomz/pets).');
    expect(versionSelectorValue(pets.versionSelector!, { name: 'bin' })).toBe('x-api-version: bin');
  });
});

describe('Traefik Hub APIVersions routed by path prefix (traefik-hub-gitops api-versioned.yaml)', () => {
  it("reads each version's prefix from its route, and the default from the prefix the others extend", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-versions-'));
    temps.push(dir);
    cpSync(path.join(fixtures, 'shared-examples/traefik-hub/06-hub-gitops-versioned-api-apiversions.yaml'), path.join(dir, 'api-versioned.yaml'));
    const catalog = await loadCatalog(dir, { offline: true });
    const api = catalog.apis.find((a) => a.key === 'apps/customer-api-versioned')!;
    expect(api.versionSelector).toMatchObject({ location: 'path', defaultVersion: 'v2-1-0', values: { v2: '/customers-versioned/v2', v3: '/customers-versioned/v3' } });
    expect(describeVersionSelector(api.versionSelector!)).toBe('Each version has its own path prefix; without one, you get v2-1-0 (APIVersion routes of API apps/customer-api-versioned).');
    expect(versionSelectorValue(api.versionSelector!, { name: 'v4' })).toBe('/customers-versioned/v4');
  });
});

describe('a version that is not in the repository', () => {
  it('is an error at the reference, and the base API keeps the versions it has', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-versions-'));
    temps.push(dir);
    cpSync(path.join(fixtures, 'real/tyk-operator/config/samples/oas/versioning/base-api-with-versions.yaml'), path.join(dir, 'base.yaml'));
    const catalog = await loadCatalog(dir, { offline: true });
    expect(catalog.diagnostics.filter((d) => d.rule === 'reference').map((d) => `${d.file}:${d.line} ${d.message}`)).toEqual([
      'base.yaml:57 TykOasApiDefinition pets lists version "dogz-breeds" as TykOasApiDefinition "dogz-breeds", which does not exist in namespace randomz',
      'base.yaml:61 TykOasApiDefinition pets lists version "bin" as TykOasApiDefinition "bin", which does not exist in namespace randomz',
    ]);
    expect(catalog.apis.map((a) => [a.key, a.versions.map((v) => v.name)])).toEqual([['randomz/pets', ['v1']]]);
  });
});

describe('a SecurityPolicy granting a definition that is now a version', () => {
  it('grants the API it belongs to, without a reference error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-versions-'));
    temps.push(dir);
    cpSync(path.join(fixtures, 'real/tyk-operator/config/samples/oas/versioning'), dir, { recursive: true });
    // A policy as the tyk-operator samples write them (oas/oas-protected.yaml), naming one version's definition.
    writeFileSync(
      path.join(dir, 'policy.yaml'),
      [
        'apiVersion: tyk.tyk.io/v1alpha1',
        'kind: SecurityPolicy',
        'metadata:',
        '  name: bin-only',
        '  namespace: randomz',
        'spec:',
        '  name: Bin only',
        '  state: active',
        '  active: true',
        '  access_rights_array:',
        '    - name: bin',
        '      namespace: randomz',
        '      kind: TykOasApiDefinition',
        '',
      ].join('\n'),
    );
    const catalog = await loadCatalog(dir, { offline: true });
    expect(catalog.items.map((i) => [i.key, i.apis])).toEqual([['randomz/bin-only', ['randomz/pets']]]);
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
