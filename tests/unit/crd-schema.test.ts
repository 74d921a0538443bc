import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { validateResource } from '../../src/lib/catalog/crd-schema.ts';
import { parseGoDuration } from '../../src/lib/catalog/go-duration.ts';

const examples = new URL('../fixtures/shared-examples/', import.meta.url);

function documentsIn(dir: string): Array<{ file: string; doc: Record<string, unknown> }> {
  const folder = new URL(`${dir}/`, examples);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(new URL(file, folder), 'utf8'))
        .map((d) => d.toJS() as Record<string, unknown> | null)
        .filter((doc): doc is Record<string, unknown> => doc !== null)
        .map((doc) => ({ file: `${dir}/${file}`, doc })),
    );
}

const shipped = [...documentsIn('traefik-hub'), ...documentsIn('tyk')].filter(({ doc }) => validateResource(doc) !== undefined);

describe('published examples validate cleanly', () => {
  it('covers every kind Portico ships a schema for', () => {
    expect(new Set(shipped.map(({ doc }) => doc.kind))).toEqual(
      new Set(['API', 'APIVersion', 'APIPlan', 'APICatalogItem', 'ManagedSubscription', 'APIPortal', 'ApiDefinition', 'SecurityPolicy', 'TykOasApiDefinition']),
    );
  });

  it.each(shipped.map(({ file, doc }) => [`${file} ${String(doc.kind)}/${String((doc.metadata as { name?: string }).name)}`, doc]))('%s has no issues', (_label, doc) => {
    expect(validateResource(doc)).toEqual([]);
  });

  it('returns undefined for kinds without a shipped schema', () => {
    expect(validateResource({ apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'x' } })).toBeUndefined();
    expect(validateResource({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBeUndefined();
    expect(validateResource('not a resource')).toBeUndefined();
  });
});

/** Parses one YAML resource written in the test: the broken fixtures are small enough to read inline. */
function resource(yaml: string): unknown {
  return parse(yaml);
}

const hub = (kind: string, spec: string, name = 'example') => resource(`apiVersion: hub.traefik.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`);

describe('hand-written CEL rules, with the CRD messages', () => {
  it('API openApiSpec needs path or url', () => {
    expect(validateResource(hub('API', '  openApiSpec:\n    validateRequestBodySchema: true\n'))).toEqual([
      { path: ['spec', 'openApiSpec'], message: 'spec.openApiSpec needs either `path` or `url` (path or url must be defined)' },
    ]);
  });

  it('API openApiSpec.path starts with a slash and has no ../', () => {
    expect(validateResource(hub('API', '  openApiSpec:\n    path: openapi.yaml\n'))).toEqual([{ path: ['spec', 'openApiSpec', 'path'], message: "spec.openApiSpec.path must start with a '/'" }]);
    expect(validateResource(hub('API', '  openApiSpec:\n    path: /specs/../secret\n'))).toEqual([
      { path: ['spec', 'openApiSpec', 'path'], message: "spec.openApiSpec.path cannot contains '../' (got `/specs/../secret`)" },
    ]);
  });

  it('API openApiSpec.url is a URL', () => {
    expect(validateResource(hub('API', '  openApiSpec:\n    url: not a url\n'))).toEqual([{ path: ['spec', 'openApiSpec', 'url'], message: 'spec.openApiSpec.url must be a valid URL' }]);
  });

  it('APIVersion operation set matchers take one of path/pathPrefix/pathRegex, each starting with a slash', () => {
    const doc = hub(
      'APIVersion',
      `  release: v1.0.0
  openApiSpec:
    url: https://example.com/openapi.json
    operationSets:
      - name: reads
        matchers:
          - path: /flights
            pathPrefix: /flights/
          - pathPrefix: flights
`,
    );
    expect(validateResource(doc)).toEqual([
      {
        path: ['spec', 'openApiSpec', 'operationSets', 0, 'matchers', 0],
        message: 'spec.openApiSpec.operationSets[0].matchers[0]: path, pathPrefix and pathRegex are mutually exclusive; a matcher takes only one of `path`, `pathPrefix`, `pathRegex`',
      },
      { path: ['spec', 'openApiSpec', 'operationSets', 0, 'matchers', 1, 'pathPrefix'], message: "spec.openApiSpec.operationSets[0].matchers[1].pathPrefix must start with a '/'" },
    ]);
  });

  it('APIVersion release is semver, with the regex from the CRD', () => {
    const release = (r: string) => validateResource(hub('APIVersion', `  release: "${r}"\n  openApiSpec:\n    path: /openapi.yaml\n`));
    expect(release('v1.2.3')).toEqual([]);
    expect(release('1.2.3-rc.1+build.5')).toEqual([]);
    expect(release('1.2')).toEqual([{ path: ['spec', 'release'], message: 'spec.release must be a valid semver version (got `1.2`)' }]);
  });

  it('APIPlan rate limit period is within 1s..1h, quota period within 1s..9999h, limits are not negative', () => {
    const plan = (rate: string, quota: string) => validateResource(hub('APIPlan', `  title: Gold\n  rateLimit:\n${rate}\n  quota:\n${quota}\n`));
    expect(plan('    limit: 10\n    period: 1h', '    limit: 1000\n    period: 1h30m')).toEqual([]);
    expect(plan('    limit: 10\n    period: 2h', '    limit: 1000\n    period: 10000h')).toEqual([
      { path: ['spec', 'rateLimit', 'period'], message: 'spec.rateLimit.period must be between 1s and 1h (got 2h)' },
      { path: ['spec', 'quota', 'period'], message: 'spec.quota.period must be between 1s and 9999h (got 10000h)' },
    ]);
    expect(plan('    limit: -1\n    period: 500ms', '    limit: 5')).toEqual([
      { path: ['spec', 'rateLimit', 'limit'], message: 'spec.rateLimit.limit must be a positive number (got -1)' },
      { path: ['spec', 'rateLimit', 'period'], message: 'spec.rateLimit.period must be between 1s and 1h (got 500ms)' },
    ]);
    expect(plan('    limit: 1\n    period: ten seconds', '    limit: 5')).toEqual([
      { path: ['spec', 'rateLimit', 'period'], message: '`spec.rateLimit.period` must be a valid duration (got `ten seconds`)' },
    ]);
  });

  it('APICatalogItem: everyone and groups are exclusive, and one of them is required', () => {
    expect(validateResource(hub('APICatalogItem', '  everyone: true\n  groups: [employees]\n'))).toEqual([
      { path: ['spec', 'groups'], message: 'spec.groups: groups and everyone are mutually exclusive; set `everyone: true` or list `groups`, not both' },
    ]);
    expect(validateResource(hub('APICatalogItem', '  everyone: false\n  groups: []\n'))).toEqual([
      { path: ['spec'], message: 'spec: groups is required when everyone is false; set `everyone: true` or list at least one group in `groups`' },
    ]);
    expect(validateResource(hub('APICatalogItem', '  groups: [employees]\n'))).toEqual([]);
  });

  it('names are unique in apis and apiBundles lists', () => {
    expect(validateResource(hub('APICatalogItem', '  everyone: true\n  apis:\n    - name: flights\n    - name: flights\n  apiBundles:\n    - name: b\n    - name: c\n    - name: b\n'))).toEqual([
      { path: ['spec', 'apis', 1, 'name'], message: 'spec.apis[1].name `flights` is listed more than once (duplicated apis)' },
      { path: ['spec', 'apiBundles', 2, 'name'], message: 'spec.apiBundles[2].name `b` is listed more than once (duplicated apiBundles)' },
    ]);
    expect(validateResource(hub('APIBundle', '  apis:\n    - name: a\n    - name: a\n'))).toEqual([
      { path: ['spec', 'apis', 1, 'name'], message: 'spec.apis[1].name `a` is listed more than once (duplicated apis)' },
    ]);
    expect(validateResource(hub('ManagedSubscription', '  apiPlan:\n    name: gold\n  applications:\n    - appId: a\n  apis:\n    - name: x\n    - name: x\n'))).toEqual([
      { path: ['spec', 'apis', 1, 'name'], message: 'spec.apis[1].name `x` is listed more than once (duplicated apis)' },
    ]);
  });

  it('ManagedApplication api keys give secretName or value, not both', () => {
    expect(validateResource(hub('ManagedApplication', '  appId: app\n  owner: alice\n  apiKeys:\n    - secretName: key\n      value: plain\n'))).toEqual([
      { path: ['spec', 'apiKeys', 0], message: 'spec.apiKeys[0]: secretName and value are mutually exclusive; give the key either as `secretName` or as `value`' },
    ]);
  });

  it('ContentItem has exactly one of content or link', () => {
    const item = (body: string) => validateResource(hub('ContentItem', `  title: Guide\n  order: 1\n  parentRef:\n    kind: APIPortal\n    name: portal\n${body}`));
    expect(item('  content: "# Hello"\n')).toEqual([]);
    expect(item('')).toEqual([{ path: ['spec'], message: 'spec: exactly one of content or link must be specified' }]);
  });

  it('APIPortal trustedUrls are URLs', () => {
    expect(validateResource(hub('APIPortal', '  trustedUrls:\n    - not-a-url\n'))).toEqual([
      { path: ['spec', 'trustedUrls', 0], message: 'spec.trustedUrls[0] must be a valid URL (got `not-a-url`)' },
    ]);
  });
});

describe('schema errors and Kubernetes semantics', () => {
  it('reports wrong types and missing required fields in plain words', () => {
    expect(validateResource(hub('APIPlan', '  title: 5\n  rateLimit:\n    period: 1s\n'))).toEqual([
      { path: ['spec', 'rateLimit'], message: '`spec.rateLimit` is missing required field `limit`' },
      { path: ['spec', 'title'], message: '`spec.title` must be a string, not the number 5' },
    ]);
  });

  it('warns about unknown fields, which Kubernetes drops, with the closest name', () => {
    expect(validateResource(hub('API', '  titel: Flights\n  openApiSpec:\n    path: /openapi.yaml\n  colour: blue\n'))).toEqual([
      { path: ['spec', 'titel'], severity: 'warning', message: 'unknown field `spec.titel` (Kubernetes drops it; did you mean `title`?)' },
      { path: ['spec', 'colour'], severity: 'warning', message: 'unknown field `spec.colour` (Kubernetes drops it)' },
    ]);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields', () => {
    const doc = resource(`apiVersion: tyk.tyk.io/v1alpha1
kind: ApiDefinition
metadata:
  name: httpbin
spec:
  name: httpbin
  protocol: http
  use_keyless: true
  active: true
  proxy:
    target_url: http://httpbin.org
    listen_path: /httpbin
  config_data:
    anything: { goes: here }
`);
    expect(validateResource(doc)).toEqual([]);
  });

  it('treats null as allowed only where the schema is nullable', () => {
    const base = `apiVersion: tyk.tyk.io/v1alpha1
kind: ApiDefinition
metadata:
  name: httpbin
spec:
  name: httpbin
  protocol: http
  use_keyless: true
  proxy:
    target_url: http://httpbin.org
    listen_path: /httpbin
`;
    expect(validateResource(resource(`${base}  config_data: null\n`))).toEqual([]);
    expect(validateResource(resource(`${base}  use_keyless: null\n`.replace('  use_keyless: true\n', '')))).toEqual([
      { path: ['spec', 'use_keyless'], severity: 'warning', message: '`spec.use_keyless` is null; Kubernetes drops it' },
    ]);
  });

  it('requires metadata.name as a DNS-1123 subdomain and string label values', () => {
    expect(validateResource(resource('apiVersion: hub.traefik.io/v1alpha1\nkind: APIBundle\nmetadata:\n  namespace: apps\nspec: {}\n'))).toEqual([
      { path: ['metadata'], message: 'metadata.name is required: every resource needs a name' },
    ]);
    expect(validateResource(hub('APIBundle', '  title: x\n', 'Flights_API'))).toEqual([
      {
        path: ['metadata', 'name'],
        message: "metadata.name `Flights_API` is not a valid Kubernetes name: use at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit",
      },
    ]);
    expect(validateResource(resource('apiVersion: hub.traefik.io/v1alpha1\nkind: APIBundle\nmetadata:\n  name: ok\n  labels:\n    version: 2\n  annotatons: {}\nspec: {}\n'))).toEqual([
      { path: ['metadata', 'annotatons'], severity: 'warning', message: 'unknown field `metadata.annotatons` (Kubernetes drops it; did you mean `annotations`?)' },
      { path: ['metadata', 'labels', 'version'], message: 'metadata.labels.version must be a string; quote the value (`"2"`)' },
    ]);
  });

  it('names the served version when apiVersion is wrong', () => {
    expect(validateResource(resource('apiVersion: hub.traefik.io/v1\nkind: APIPortal\nmetadata:\n  name: p\nspec: {}\n'))).toEqual([
      { path: ['apiVersion'], message: 'APIPortal is not served as `hub.traefik.io/v1`; use hub.traefik.io/v1alpha1' },
    ]);
  });
});

describe('parseGoDuration', () => {
  it('reads Go durations as seconds', () => {
    expect(parseGoDuration('10s')).toBe(10);
    expect(parseGoDuration('1m')).toBe(60);
    expect(parseGoDuration('24h')).toBe(86_400);
    expect(parseGoDuration('1h30m')).toBe(5_400);
    expect(parseGoDuration('1.5h')).toBe(5_400);
    expect(parseGoDuration('250ms')).toBe(0.25);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('1d')).toBeUndefined();
    expect(parseGoDuration('10')).toBeUndefined();
  });
});
