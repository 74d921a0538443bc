import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintContent } from '../../src/lib/lint/run.ts';
import { LINT_RULES } from '../../src/lib/lint/rules/index.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/lint');
const lint = (name: string, rules?: Record<string, boolean>) => lintContent(path.join(fixtures, name), { offline: true, rules });
/** `line severity message-start` of one rule's findings: what a person would see, without the noise. */
const findings = async (name: string, rule: string) => (await lint(name)).diagnostics.filter((d) => d.rule === rule).map((d) => `${d.file}:${d.line} ${d.severity} ${d.message}`);

describe('portico lint, rule by rule (each with a failing and a passing fixture)', () => {
  it('passes a repository that follows every rule', async () => {
    const result = await lint('clean');
    expect(result.diagnostics).toEqual([]);
  });

  it('yaml: reports a file that does not parse, where it breaks', async () => {
    expect(await findings('yaml-fail', 'yaml')).toEqual([expect.stringMatching(/^bad\.yaml:4 error cannot parse YAML/)]);
  });

  it("resource: reports the CRDs' CEL rules (groups xor everyone, secretName xor value, path or url)", async () => {
    expect(await findings('resource-fail', 'resource')).toEqual([
      expect.stringMatching(/^resources\.yaml:8 error .*groups and everyone are mutually exclusive/),
      expect.stringMatching(/^resources\.yaml:19 error .*secretName and value are mutually exclusive/),
      expect.stringMatching(/^resources\.yaml:20 warning .*plain text in Git/),
      expect.stringMatching(/^resources\.yaml:28 error .*needs either `path` or `url`/),
    ]);
  });

  it('reference: names the missing API, plan and Service at the field that names them', async () => {
    expect(await findings('reference-fail', 'reference')).toEqual([
      'resources.yaml:9 error APICatalogItem item refers to API "missing-api", which does not exist in namespace shop',
      'resources.yaml:11 error APICatalogItem item refers to APIPlan "missing-plan", which does not exist in namespace shop',
      'resources.yaml:19 error IngressRoute route is annotated hub.traefik.io/api: missing-api, but there is no API "missing-api" in namespace shop',
      'resources.yaml:25 error IngressRoute route routes to Service "not-deployed", which does not exist in namespace shop',
    ]);
  });

  it('duplicate: reports an identity defined twice and an entry listed twice', async () => {
    expect(await findings('duplicate-fail', 'duplicate')).toEqual([
      'a.yaml:16 warning APICatalogItem item lists "partners" twice in groups (also at index 0)',
      expect.stringMatching(/^a\.yaml:19 error .*`parcels` is listed more than once/),
      'b.yaml:4 error API "shop/parcels" is defined twice; the first definition (a.yaml:4) is used',
    ]);
  });

  it('orphan: warns of an API, a plan and an APIVersion nothing refers to', async () => {
    expect(await findings('orphan-fail', 'orphan')).toEqual([
      'resources.yaml:4 warning API shop/parcels is in no catalog item, bundle or subscription, so no portal shows it',
      'resources.yaml:13 warning APIPlan shop/unused is used by no catalog item and no subscription, so nobody can subscribe to it',
      "resources.yaml:23 warning APIVersion shop/parcels-v9 is not listed in any API's spec.versions, so no portal shows it",
    ]);
  });

  it('childless: warns of a bundle, catalog item and subscription that select nothing', async () => {
    expect(await findings('childless-fail', 'childless')).toEqual([
      'resources.yaml:18 warning APIBundle shop/internal selects no API: its apiSelector matches no API in the namespace',
      'resources.yaml:39 warning APICatalogItem shop/nobody shows no API: its apiSelector matches no API in the namespace',
      'resources.yaml:57 warning ManagedSubscription shop/no-apps covers no application: its managedApplicationSelector matches no ManagedApplication',
    ]);
  });

  it('selector: refuses malformed selectors and warns of an empty one', async () => {
    expect(await findings('selector-fail', 'selector')).toEqual([
      'resources.yaml:18 warning APIBundle everything: spec.apiSelector is empty, so it matches every API in namespace shop',
      expect.stringMatching(/^resources\.yaml:28 error .*label key "-audience" is malformed/),
      'resources.yaml:30 error APIBundle malformed: operator In needs at least one value; Kubernetes rejects this selector',
      'resources.yaml:34 error APIBundle malformed: operator Exists takes no values; Kubernetes rejects this selector',
    ]);
  });

  it('operation-set: reports filters naming sets no API declares, in catalog items and subscriptions', async () => {
    expect(await findings('operation-set-fail', 'operation-set')).toEqual([
      'resources.yaml:34 error APICatalogItem item includes operation set "read-write", which none of its APIs declares',
      'resources.yaml:49 error ManagedSubscription sub includes operation set "readonly", which none of its APIs declares',
    ]);
  });

  it('regex: reads regexes as Go does (RE2), in operation sets, routes and CORS origins', async () => {
    expect(await findings('regex-fail', 'regex')).toEqual([
      expect.stringMatching(/^resources\.yaml:12 error API parcels: invalid pathRegex "\^\/parcels\/\(unclosed"/),
      expect.stringMatching(/^resources\.yaml:15 error .*lookaround assertions are not supported by Go/),
      expect.stringMatching(/^resources\.yaml:27 error IngressRoute parcels: invalid PathRegexp/),
      expect.stringMatching(/^resources\.yaml:40 error Middleware cors: invalid origin regex/),
    ]);
  });

  it('release: reports two versions with one release and a release that is not semver', async () => {
    expect(await findings('release-fail', 'release')).toEqual([
      'resources.yaml:28 error APIVersion parcels-v1-again of API shop/parcels has release v1.0.0, like APIVersion parcels-v1',
      expect.stringMatching(/^resources\.yaml:38 error .*must be a valid semver version/),
    ]);
    expect(await findings('release-pass', 'release')).toEqual([]);
  });

  it('openapi: reports duplicate operationIds and undeclared path parameters in the spec file', async () => {
    expect(await findings('openapi-fail', 'openapi')).toEqual([
      expect.stringMatching(/^parcels\/openapi\.yaml:14 error path parameter `id`/),
      expect.stringMatching(/^parcels\/openapi\.yaml:16 error operationId `getParcel` is already used/),
    ]);
  });

  it('servers: warns of an API without a server, since the portal cannot offer try-it', async () => {
    expect(await findings('servers-fail', 'servers')).toEqual(['resources.yaml:4 warning API shop/parcels has no server, so the portal offers no try-it for its 2 operations']);
  });

  it('route-conflict: reports two APIs claiming one method and path on one host or listen path', async () => {
    expect(await findings('route-conflict-fail', 'route-conflict')).toEqual([
      'resources.yaml:29 error APIs shop/labels and shop/parcels both expose GET /parcels/{id} on host api.example.com; the gateway routes each call to only one of them',
      'resources.yaml:72 error APIs shop/billing and shop/billing-copy both expose /billing/* on every host; the gateway routes each call to only one of them',
    ]);
    expect(await findings('route-conflict-pass', 'route-conflict')).toEqual([]);
  });

  it('gateway-limits: warns about a plan HAProxy cannot enforce as written', async () => {
    expect(await findings('gateway-limits-fail', 'gateway-limits')).toEqual([
      'invoices.yaml:38 warning SecurityPolicy billing/invoices-standard has rate limit 2.5/60s; HAProxy needs whole numbers and a period of at most 2000000 seconds; subscriptions to it are not committed for the haproxy gateway',
    ]);
  });

  it('gateway-limits: warns for each configured gateway that cannot enforce a plan, Kong included', async () => {
    const kong = (gateways: string[]) =>
      lintContent(path.join(fixtures, 'gateway-limits-fail'), { offline: true, gateways }).then((r) =>
        r.diagnostics.filter((d) => d.rule === 'gateway-limits').map((d) => `${d.line} ${d.message} (${d.hint})`),
      );
    const kongWarning =
      "38 SecurityPolicy billing/invoices-standard has rate limit 2.5/60s; Kong's rate-limiting plugin needs a whole number of requests per second, minute, hour or day (1, 60, 3600 or 86400 seconds); subscriptions to it are not committed for the kong gateway (use a period of one second, minute, hour or day and a whole number of requests, or leave kong out of PORTICO_GATEWAYS)";
    expect(await kong(['kong'])).toEqual([kongWarning]);
    expect(await kong(['haproxy', 'kong'])).toEqual([expect.stringMatching(/^38 .*for the haproxy gateway/), kongWarning]);
    // Traefik Hub enforces its own APIPlans: nothing to warn about.
    expect(await kong(['traefik-hub'])).toEqual([]);
  });

  it('legacy: spells out the migration of the old API shape and removed kinds', async () => {
    const result = await lint('legacy-fail');
    expect(result.diagnostics.filter((d) => d.rule === 'legacy').map((d) => [d.line, d.hint])).toEqual([
      [7, expect.stringContaining('route the API with an IngressRoute annotated hub.traefik.io/api: parcels')],
      [14, expect.stringContaining('replace APIAccess "everyone" with APICatalogItem')],
    ]);
  });

  const failing = readdirSync(fixtures).filter((f) => f.endsWith('-fail'));
  it.each(LINT_RULES.map((r) => r.name))('%s can be switched off, and then reports nothing', async (rule) => {
    const fixture = failing.includes(`${rule}-fail`) ? `${rule}-fail` : 'clean';
    const result = await lint(fixture, { [rule]: false });
    expect(result.diagnostics.filter((d) => d.rule === rule)).toEqual([]);
    expect(result.rules.map((r) => r.name)).not.toContain(rule);
  });

  it('has a failing fixture for every rule', () => {
    expect(LINT_RULES.map((r) => r.name).filter((r) => !failing.includes(`${r}-fail`))).toEqual([]);
  });
});

describe('portico lint on real content', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

  it('finds nothing wrong in the demo content, in about a second', async () => {
    // The CPU time this process spends, not the wall clock: on a shared CI machine other processes' work is not ours.
    const started = process.cpuUsage();
    const result = await lintContent(path.resolve(import.meta.dirname, '../../content'), { offline: true });
    expect(result.diagnostics).toEqual([]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000, 'CPU milliseconds spent linting').toBeLessThan(5000);
  });

  // Each vendor example is an independent upstream sample: linted alone, it may only report what the
  // copy really lacks (shared-examples.test.ts lists those: specs served upstream, APIs in other files).
  const examples = path.resolve(import.meta.dirname, '../fixtures/shared-examples');
  const files = ['traefik-hub', 'tyk'].flatMap((dir) =>
    readdirSync(path.join(examples, dir))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => `${dir}/${f}`),
  );
  it.each(files)('%s: lint adds no error to what the catalog knows is missing', async (file) => {
    const root = mkdtempSync(path.join(tmpdir(), 'portico-lint-example-'));
    temps.push(root);
    cpSync(path.join(examples, file), path.join(root, path.basename(file)));
    const result = await lintContent(root, { offline: true });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.every((d) => ['openapi', 'reference'].includes(d.rule) && /no file for openApiSpec|offline mode|does not exist in namespace/.test(d.message))).toBe(true);
    expect(result.diagnostics.filter((d) => !['openapi', 'reference', 'orphan'].includes(d.rule))).toEqual([]);
  });
});
