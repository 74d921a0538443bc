import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/index.ts';

// What a cluster applies (DESIGN.md section 3, decision record 11), read with the real kustomize
// that kubectl embeds. Fixtures: tests/fixtures/gitops/*/README.md and tests/fixtures/real/traefik-airlines.
const projectRoot = path.resolve(import.meta.dirname, '../..');
const gitops = path.join(projectRoot, 'tests/fixtures/gitops');
const airlines = path.join(projectRoot, 'tests/fixtures/real/traefik-airlines');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A copy of a fixture with some files written over. */
function copyOf(fixture: string, files: Record<string, string> = {}): string {
  const root = tempDir('portico-gitops-');
  cpSync(fixture, root, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
  return root;
}

const line = (d: { file: string; line: number; severity: string; rule: string; message: string }) => `${d.file}:${d.line} ${d.severity} ${d.rule} ${d.message}`;
const textAt = (root: string, file: string, at: number) => readFileSync(path.join(root, file), 'utf8').split('\n')[at - 1];

function portico(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PORTICO_DATA_DIR: tempDir('portico-gitops-data-'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('portico catalog on traefik-airlines, the whole repository', () => {
  it('finds the 4 APIs and 20 operations through flux/management, with no error', () => {
    const { code, stdout, stderr } = portico(['catalog', airlines, '--offline']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('60 files');
    expect(stdout).toContain('20 operations');
    expect(stdout).toMatch(/APIs \(4\)[\s\S]*Plans \(4\)[\s\S]*Catalog items \(2\)[\s\S]*Portals \(1\)[\s\S]*subscriptions \(2\)/);
    expect(stdout).toContain('OpenAPI 3.0.0 from ConfigMap traefik-airlines/flights-openapi[openapi.yaml]');
    expect(stdout).not.toContain('duplicate');
    expect(stdout).toMatch(/\n0 errors, 1 warnings\n$/);
  });

  it('documents another set-up when PORTICO_CLUSTER names it: flux/proxy applies no API, and says nothing is wrong', () => {
    const { code, stdout } = portico(['catalog', airlines, '--offline', '--json'], { PORTICO_CLUSTER: 'flux/proxy' });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.apis).toEqual([]);
    expect(summary.stats.errors).toBe(0);
  });
});

describe('a Flux repository with two clusters (tests/fixtures/gitops/flux-two-clusters)', async () => {
  const root = path.join(gitops, 'flux-two-clusters');
  const production = await loadCatalog(root, { offline: true, repository: { portalFolder: 'consumers' } });
  const staging = await loadCatalog(root, { offline: true, repository: { cluster: 'staging', portalFolder: 'consumers' } });

  it("documents the cluster that applies the portal's own folder, and says so", () => {
    expect(production.diagnostics.filter((d) => d.rule === 'cluster').map(line)).toEqual([
      "clusters/production/flux-system/gotk-sync.yaml:13 info cluster this repository has several clusters (clusters/production, clusters/staging); Portico documents clusters/production, the one that applies the portal's folder consumers/",
    ]);
    expect(production.applications.map((a) => a.key)).toEqual(['shop-production/portal-app']);
  });

  it('production: targetNamespace, postBuild.substitute and substituteFrom a ConfigMap, read through the overlay', () => {
    expect(production.apis.map((a) => [a.key, a.versions[0]!.operations.length, a.source])).toEqual([['shop-production/orders', 2, { file: 'apis/base/api.yaml', line: 2, column: 7 }]]);
    // `env` from substitute wins over the ConfigMap's; `region` comes from the ConfigMap cluster-vars.
    expect(production.plans.map((p) => [p.key, p.title])).toEqual([['shop-production/standard', 'Standard plan for production in eu-west-1']]);
    expect(production.items.map((i) => [i.key, i.apis, i.plan, i.source.file])).toEqual([
      ['shop-production/orders-for-everyone', ['shop-production/orders'], 'shop-production/standard', 'apis/overlays/production/catalog-item.yaml'],
    ]);
    expect(production.diagnostics.filter((d) => d.severity !== 'info').map(line)).toEqual([
      'clusters/production/apis.yaml:20 warning gitops substituteFrom names Secret cluster-secrets; Portico does not read Secrets, so the variables it holds stay unset in the docs',
    ]);
  });

  it('staging (PORTICO_CLUSTER=staging): its namespace, the name prefix and the default of an unset variable', () => {
    expect(staging.apis.map((a) => [a.key, a.versions[0]!.operations.length, a.source.file])).toEqual([['shop-staging/staging-orders', 2, 'apis/base/api.yaml']]);
    expect(staging.plans.map((p) => [p.key, p.title])).toEqual([['shop-staging/staging-standard', 'Standard plan for staging in no region']]);
    expect(staging.items).toEqual([]);
    expect(staging.applications).toEqual([]); // consumers/ is production's
    expect(staging.diagnostics).toEqual([]);
  });

  it('the same through the environment: PORTICO_CLUSTER=clusters/staging on the command line', () => {
    const { code, stdout } = portico(['catalog', root, '--json'], { PORTICO_CLUSTER: 'clusters/staging' });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).apis.map((a: { key: string }) => a.key)).toEqual(['shop-staging/staging-orders']);
  });

  it('when nothing decides, takes the first cluster and asks for PORTICO_CLUSTER in a warning', async () => {
    const catalog = await loadCatalog(root, { offline: true, repository: { portalFolder: 'portal' } });
    expect(catalog.diagnostics.filter((d) => d.rule === 'cluster')).toMatchObject([
      {
        severity: 'warning',
        file: 'clusters/production/flux-system/gotk-sync.yaml',
        message: 'this repository has several clusters (clusters/production, clusters/staging) and nothing says which one the portal documents; Portico documents clusters/production, the first',
        hint: 'set PORTICO_CLUSTER to one of: clusters/production, clusters/staging',
      },
    ]);
    expect(catalog.apis.map((a) => a.key)).toEqual(['shop-production/orders']);
  });

  it('a PORTICO_CLUSTER that names no cluster is an error that lists the clusters', async () => {
    const catalog = await loadCatalog(root, { offline: true, repository: { cluster: 'qa' } });
    expect(catalog.diagnostics.filter((d) => d.rule === 'cluster').map(line)).toEqual([
      'clusters/production/flux-system/gotk-sync.yaml:13 error cluster PORTICO_CLUSTER is "qa", but this repository\'s clusters are clusters/production, clusters/staging',
    ]);
  });
});

describe('what a cluster cannot apply from this repository, and variants without Flux', () => {
  it('a Flux path that is not in the repository (another source) is named in a warning and skipped', async () => {
    const copy = copyOf(path.join(gitops, 'flux-two-clusters'), {
      'clusters/production/infrastructure.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        '  name: infrastructure',
        '  namespace: flux-system',
        'spec:',
        '  interval: 1h',
        '  path: ./infrastructure/production',
        '  prune: true',
        '  sourceRef:',
        '    kind: OCIRepository',
        '    name: platform-infrastructure',
        '',
      ].join('\n'),
    });
    const catalog = await loadCatalog(copy, { offline: true, repository: { portalFolder: 'consumers' } });
    expect(catalog.diagnostics.filter((d) => d.rule === 'gitops').map(line)).toEqual([
      'clusters/production/apis.yaml:20 warning gitops substituteFrom names Secret cluster-secrets; Portico does not read Secrets, so the variables it holds stay unset in the docs',
      'clusters/production/infrastructure.yaml:8 warning gitops Kustomization flux-system/infrastructure applies ./infrastructure/production, which is not in this repository (another source, or a path that does not exist); Portico does not read what it applies',
    ]);
    expect(catalog.apis.map((a) => a.key)).toEqual(['shop-production/orders']);
  });

  it('overlays of one base without Flux or Argo CD: one is documented, PORTICO_CLUSTER picks another', async () => {
    const root = tempDir('portico-gitops-overlays-');
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write('base/kustomization.yaml', 'resources:\n  - plan.yaml\n');
    write('base/plan.yaml', 'apiVersion: hub.traefik.io/v1alpha1\nkind: APIPlan\nmetadata:\n  name: basic\nspec:\n  title: Basic\n');
    write('base/api.yaml', 'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: not-named-by-the-base\n');
    for (const env of ['dev', 'prod']) {
      write(`overlays/${env}/kustomization.yaml`, `namespace: shop-${env}\nresources:\n  - ../../base\n  - api.yaml\n`);
      write(`overlays/${env}/api.yaml`, 'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  openApiSpec:\n    url: https://example.com/openapi.yaml\n');
    }
    const dev = await loadCatalog(root, { offline: true, repository: {} });
    expect(dev.diagnostics.filter((d) => d.rule === 'cluster').map(line)).toEqual([
      '.:1 warning cluster this repository has several kustomizations that pick between the same files (overlays/dev, overlays/prod) and nothing says which one the portal documents; Portico documents overlays/dev, the first',
    ]);
    expect(dev.plans.map((p) => p.key)).toEqual(['shop-dev/basic']);
    expect(dev.diagnostics.filter((d) => d.rule === 'duplicate')).toEqual([]);
    // A file in a folder the kustomizations pick from, that none names, is not applied.
    expect(JSON.stringify(dev)).not.toContain('not-named-by-the-base');
    const prod = await loadCatalog(root, { offline: true, repository: { cluster: 'prod' } });
    expect(prod.diagnostics.filter((d) => d.rule === 'cluster')).toEqual([]);
    expect(prod.plans.map((p) => [p.key, p.source.file])).toEqual([['shop-prod/basic', 'base/plan.yaml']]);
  });
});

describe('an Argo CD Application (tests/fixtures/gitops/argo-application)', async () => {
  const root = path.join(gitops, 'argo-application');
  const catalog = await loadCatalog(root, { offline: true });

  it('applies its Git path with destination.namespace where objects name none, and kustomize.namePrefix', () => {
    expect(catalog.apis.map((a) => [a.key, a.versions[0]!.operations.length, a.source.file])).toEqual([['shop/argo-orders', 2, 'apps/orders/api.yaml']]);
    expect(catalog.plans.map((p) => p.key)).toEqual(['billing/argo-standard']); // its own namespace stays
  });

  it('reads nothing that no Application applies, and names the Helm chart it skips in a warning', () => {
    expect(JSON.stringify(catalog)).not.toContain('never-applied');
    expect(catalog.diagnostics.map(line)).toEqual(['argocd/redis.yaml:8 warning gitops Application argocd/redis installs a Helm chart from a chart repository; Portico does not read what it applies']);
  });
});

describe("a configMapGenerator holding a Traefik Hub API's spec (tests/fixtures/gitops/config-map-generator)", async () => {
  const root = path.join(gitops, 'config-map-generator');
  const catalog = await loadCatalog(root, { offline: true });

  it('finds the spec through the generated ConfigMap, under the name kustomize gives it', () => {
    expect(catalog.diagnostics).toEqual([]);
    const payments = catalog.apis.find((a) => a.key === 'payments/payments')!;
    expect(payments.versions[0]).toMatchObject({
      release: '2.1.0',
      origin: { kind: 'configmap', configMap: expect.stringMatching(/^payments\/payments-openapi-[a-z0-9]{10}$/), key: 'openapi.yaml', file: 'payments/spec/payments.yaml' },
    });
    expect(payments.versions[0]!.operations.map((o) => o.operationId)).toEqual(['listPayments', 'getPayment']);
    expect(catalog.plans.map((p) => p.key)).toEqual(['shop/basic']);
  });

  it('places the generated ConfigMap at its generator, and the spec it holds in the file it was made from', () => {
    const cm = catalog.references.find((r) => r.id.kind === 'ConfigMap')!;
    expect(cm.source.file).toBe('payments/kustomization.yaml');
    expect(textAt(root, cm.source.file, cm.source.line)).toBe('  - name: payments-openapi');
    expect(catalog.apis[0]!.versions[0]!.operations.map((o) => [o.source.file, textAt(root, o.source.file, o.source.line)])).toEqual([
      ['payments/spec/payments.yaml', '    get:'],
      ['payments/spec/payments.yaml', '    get:'],
    ]);
    expect(catalog.apis[0]!.versions[0]!.operations.map((o) => o.source.line)).toEqual([7, 13]);
    // The other objects are at their own files, in the namespace the kustomization sets.
    expect(catalog.references.find((r) => r.id.kind === 'Deployment')).toMatchObject({ id: { namespace: 'payments' }, source: { file: 'payments/app.yaml', line: 13 } });
  });

  it('caches each render by the hash of its inputs: a changed file is rendered again', async () => {
    const copy = copyOf(root);
    const cacheDir = tempDir('portico-gitops-cache-');
    const first = await loadCatalog(copy, { offline: true, cacheDir });
    const renders = readdirSync(path.join(cacheDir, 'kustomize-v1'));
    expect(renders).toHaveLength(2); // payments/ and shop/
    const again = await loadCatalog(copy, { offline: true, cacheDir });
    expect(readdirSync(path.join(cacheDir, 'kustomize-v1'))).toEqual(renders);
    expect(again.plans).toEqual(first.plans);
    writeFileSync(path.join(copy, 'shop/plan.yaml'), readFileSync(path.join(copy, 'shop/plan.yaml'), 'utf8').replace('title: Basic', 'title: Basic, renamed'));
    const changed = await loadCatalog(copy, { offline: true, cacheDir });
    expect(changed.plans.map((p) => p.title)).toEqual(['Basic, renamed']);
    expect(readdirSync(path.join(cacheDir, 'kustomize-v1'))).toHaveLength(3);
  });
});

describe('without kustomize', () => {
  it('says so once, naming what to install, and reads the plain files the kustomizations name', async () => {
    const catalog = await loadCatalog(path.join(gitops, 'flux-two-clusters'), { offline: true, repository: { kustomize: '/nonexistent/kustomize', portalFolder: 'consumers' } });
    const warnings = catalog.diagnostics.filter((d) => d.rule === 'kustomize');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('PORTICO_KUSTOMIZE names /nonexistent/kustomize, which is not an executable file; Portico reads the plain files they name instead'),
      hint: 'install kubectl (it embeds kustomize) or kustomize, or set PORTICO_KUSTOMIZE to one of them',
    });
    // Flux's own settings still apply; the files of the overlay and its base are read as written.
    expect(catalog.apis.map((a) => [a.key, a.source.file])).toEqual([['shop-production/orders', 'apis/base/api.yaml']]);
    expect(catalog.plans.map((p) => p.title)).toEqual(['Standard plan for production in eu-west-1']);
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('on the command line with no kubectl or kustomize on the PATH: one warning, the plain files read', () => {
    const { code, stdout } = portico(['catalog', path.join(gitops, 'config-map-generator'), '--json'], { PATH: path.dirname(process.execPath) });
    const summary = JSON.parse(stdout);
    const kustomize = summary.diagnostics.filter((d: { rule: string }) => d.rule === 'kustomize');
    expect(kustomize).toHaveLength(1);
    expect(kustomize[0].message).toContain('neither kustomize nor kubectl is on the PATH');
    expect(summary.plans.map((p: { key: string }) => p.key)).toEqual(['default/basic']); // read as written: no namespace
    // The generated ConfigMap does not exist without kustomize, so the API is read but its spec is not found.
    expect(summary.apis.map((a: { key: string }) => a.key)).toEqual(['default/payments']);
    expect(code).toBe(1);
  });
});

describe('a kustomization kustomize cannot build', () => {
  const root = path.join(gitops, 'config-map-generator');
  const failing = (catalog: Catalog) => catalog.diagnostics.filter((d) => d.severity === 'error').map(line);

  it("a patch that matches nothing: kustomize's own message at the patch entry; the other folders load", async () => {
    const copy = copyOf(root, {
      'shop/kustomization.yaml': 'namespace: shop\nresources:\n  - plan.yaml\npatches:\n  - path: patch.yaml\n',
      'shop/patch.yaml': 'apiVersion: hub.traefik.io/v1alpha1\nkind: APIPlan\nmetadata:\n  name: premium\nspec:\n  title: Premium\n',
    });
    const catalog = await loadCatalog(copy, { offline: true });
    expect(failing(catalog)).toEqual([
      expect.stringMatching(/^shop\/kustomization\.yaml:5 error kustomize kustomize cannot build shop: no resource matches strategic merge patch "APIPlan\.v1alpha1\.hub\.traefik\.io\/premium/),
    ]);
    expect(catalog.apis.map((a) => [a.key, a.versions[0]!.operations.length])).toEqual([['payments/payments', 2]]);
    expect(catalog.plans.map((p) => p.key)).toEqual(['default/basic']); // the file it names, as written
  });

  it('YAML that does not parse: the line of the mistake; the other folders load', async () => {
    const copy = copyOf(root, { 'shop/kustomization.yaml': 'namespace: shop\nresources:\n  - plan.yaml\n  bad: [\n' });
    const catalog = await loadCatalog(copy, { offline: true });
    const kustomize = catalog.diagnostics.filter((d) => d.rule === 'kustomize');
    expect(kustomize).toMatchObject([{ severity: 'error', file: 'shop/kustomization.yaml', line: 4, message: expect.stringContaining('this kustomization cannot be read:') }]);
    expect(catalog.apis.map((a) => a.key)).toEqual(['payments/payments']);
    expect(failing(catalog).every((d) => d.startsWith('shop/kustomization.yaml:4 '))).toBe(true);
  });

  it('a file that does not exist, or one outside the content root: named at its entry, never read', async () => {
    const copy = copyOf(root, { 'shop/kustomization.yaml': 'namespace: shop\nresources:\n  - plan.yaml\n  - missing.yaml\n  - ../../../../../../etc/hostname\n' });
    const catalog = await loadCatalog(copy, { offline: true });
    expect(failing(catalog)).toEqual([
      'shop/kustomization.yaml:4 error kustomize this kustomization names missing.yaml, which does not exist (looked for shop/missing.yaml)',
      'shop/kustomization.yaml:5 error kustomize this kustomization names ../../../../../../etc/hostname, which is outside the content root; Portico reads nothing outside it',
    ]);
    expect(catalog.plans.map((p) => p.key)).toEqual(['default/basic']);
    expect(existsSync(path.join(copy, 'shop/plan.yaml'))).toBe(true);
  });
});
