import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration, validateResource } from './crd-schema.ts';
import { dropRepeatedParseErrors, type Diagnostic } from './diagnostics.ts';
import type {
  ApprovalMode,
  ApiVersion,
  Catalog,
  CatalogApi,
  CatalogApplication,
  CatalogBundle,
  CatalogGuide,
  CatalogItem,
  CatalogKey,
  CatalogPlan,
  CatalogPortal,
  CatalogSubscription,
  FailedApi,
  LabelSelector,
  Limit,
  OperationSet,
  Server,
  SourceRef,
  SpecOrigin,
} from './model.ts';
import { planAppliedSources, type RepositorySettings } from './applied-sources.ts';
import { repositorySettings } from '../config.ts';
import { moveVersionToDemoGateway } from './demo-servers.ts';
import { applyGatewayAuthToApis, reportApiAuths } from './gateway-auth.ts';
import { applyRouteServers } from './route-servers.ts';
import { applyHubVersionSelectors, mergeTykOasVersions } from './api-versioning.ts';
import { applyApiDescriptions, markApiFlavours, readApiRateLimitPlans, reportAiServices, reportPortalAuths } from './other-kinds.ts';
import { extractSpec } from './openapi.ts';
import { diagnosticAt, scanContent, sourceOf, type ContentScan, type Resource } from './resources.ts';
import { SpecCache } from './spec-cache.ts';
import { isVisibleTo } from './visibility.ts';
import { findRouteServices, findServedDocument, indexCluster, parseInClusterUrl, type ClusterIndex, type ServedDocument, type ServedLookup, type ServiceRef } from './served-spec.ts';
import { loadInlineSpec, loadSpecFile, loadSpecUrl, OPENAPI_FILE_ANNOTATION, specDiagnostics, specFileCandidates, type LoadedSpec, type SpecLoadContext } from './spec-source.ts';

export interface LoadCatalogOptions {
  /** Directory for the content-hash cache of normalised specs and fetched URLs; no cache when absent. */
  cacheDir?: string;
  /** Never fetch `openApiSpec.url`; use the copies kept in the cache. */
  offline?: boolean;
  /** Timeout for fetching one `openApiSpec.url`. */
  urlTimeoutMs?: number;
  /** Called as specs are loaded, for progress on long builds. */
  onProgress?: (event: { done: number; total: number; api: string }) => void;
  /** Receives the raw resources (with source positions) once read, for checks the model does not keep (`portico lint`). */
  onScan?: (scan: ContentScan) => void;
  /**
   * Where the demo gateway answers (PORTICO_DEMO_GATEWAY_URL): servers on its usual address,
   * http://localhost:8080 or http://127.0.0.1:8080, are moved there (./demo-servers.ts).
   */
  demoGatewayUrl?: string;
  /** Which cluster, which kustomize, the portal's own folder; from PORTICO_CLUSTER, PORTICO_KUSTOMIZE and PORTICO_GIT_DIRECTORY when absent. */
  repository?: Omit<RepositorySettings, 'cacheDir'>;
}

const HUB = 'hub.traefik.io';
const TYK = 'tyk.tyk.io';
const LEGACY_HUB_KINDS = new Set(['APIAccess', 'APICollection', 'APIGateway']);

/**
 * Reads a content root (CRDs and OpenAPI documents) into one catalog.
 * Never throws on bad content: every problem becomes a diagnostic with file, line and column,
 * and the catalog holds whatever could be read.
 */
export async function loadCatalog(root: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const absRoot = path.resolve(root);
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(absRoot)) {
    diagnostics.push({ severity: 'error', rule: 'yaml', message: `content root ${absRoot} does not exist`, file: '.', line: 1, column: 1 });
    return emptyCatalog(absRoot, diagnostics);
  }
  const cache = options.cacheDir ? new SpecCache(path.join(options.cacheDir, 'specs-v1')) : undefined;
  // Kustomizations, Flux Kustomizations and Argo CD Applications decide what is read (decision record 11).
  const applied = planAppliedSources(absRoot, diagnostics, { ...(options.repository ?? repositorySettings()), cacheDir: options.cacheDir });
  const scan = scanContent(absRoot, diagnostics, cache, applied);
  options.onScan?.(scan);
  const byKind = indexResources(scan.resources);
  const stats = { files: scan.files, documents: scan.documents, specs: 0, specsFromCache: 0, operations: 0 };
  const ctx: SpecLoadContext = {
    root: absRoot,
    scan,
    diagnostics,
    cache,
    offline: options.offline ?? false,
    urlTimeoutMs: options.urlTimeoutMs ?? 15_000,
    urlCacheDir: options.cacheDir ? path.join(options.cacheDir, 'urls') : undefined,
    stats,
  };

  const resourceErrors = validateResources(scan.resources, diagnostics);
  for (const r of scan.resources) if (r.id.group === HUB && LEGACY_HUB_KINDS.has(r.id.kind)) reportLegacyKind(r, diagnostics);

  const plans = [...readHubPlans(byKind), ...readTykPlans(byKind), ...readApiRateLimitPlans(scan.resources, diagnostics)];
  const { apis, failedApis } = await readApis(ctx, byKind, resourceErrors, options.onProgress);
  // What the gateway enforces and where it answers, for specs that do not say (issue 13, item 4).
  applyGatewayAuthToApis(apis, scan.resources);
  reportApiAuths(scan.resources, diagnostics);
  applyRouteServers(apis, scan.resources);
  mergeTykOasVersions(apis, failedApis, scan.resources, diagnostics);
  applyHubVersionSelectors(apis, scan.resources);
  applyApiDescriptions(apis, scan.resources, diagnostics);
  markApiFlavours(apis, scan.resources, diagnostics);
  reportPortalAuths(scan.resources, diagnostics);
  reportAiServices(scan.resources, diagnostics);
  if (options.demoGatewayUrl) for (const api of apis) for (const v of api.versions) moveVersionToDemoGateway(v, options.demoGatewayUrl);
  stats.operations = apis.reduce((n, a) => n + a.versions.reduce((m, v) => m + v.operations.length, 0), 0);
  const apiKeys = new Set(apis.map((a) => a.key));
  const planKeys = new Set(plans.map((p) => p.key));
  const bundles = readBundles(byKind, apis, diagnostics);
  const bundleKeys = new Set(bundles.map((b) => b.key));
  const refs: RefCheck = { apis: apiKeys, plans: planKeys, bundles: bundleKeys, diagnostics };
  const tykItems = readTykCatalogItems(byKind, apis, refs);
  const items = [...readHubCatalogItems(byKind, apis, bundles, refs), ...tykItems, ...keylessTykItems(apis, tykItems)];
  checkOperationFilters(items, apis, byKind, diagnostics);
  const portals = readPortals(byKind, items);
  const applications = readApplications(byKind, diagnostics);
  const subscriptions = readSubscriptions(byKind, refs);
  const guides = [...readContentItems(byKind, refs), ...readMarkdownGuides(absRoot, scan, diagnostics)].sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));

  const known = new Set([
    ...['API', 'APIVersion', 'APIBundle', 'APIPlan', 'APICatalogItem', 'APIPortal', 'ContentItem', 'ManagedApplication', 'ManagedSubscription'].map((k) => `${HUB}/${k}`),
    ...['TykOasApiDefinition', 'ApiDefinition', 'SecurityPolicy'].map((k) => `${TYK}/${k}`),
  ]);
  const references = scan.resources.filter((r) => !known.has(`${r.id.group}/${r.id.kind}`)).map((r) => ({ id: r.id, source: sourceOf(r), annotations: r.annotations }));

  cache?.flush();
  dropRepeatedParseErrors(diagnostics);
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { root: absRoot, apis, failedApis, plans, bundles, items, portals, applications, subscriptions, guides, references, diagnostics, stats };
}

function emptyCatalog(root: string, diagnostics: Diagnostic[]): Catalog {
  return {
    root,
    apis: [],
    failedApis: [],
    plans: [],
    bundles: [],
    items: [],
    portals: [],
    applications: [],
    subscriptions: [],
    guides: [],
    references: [],
    diagnostics,
    stats: { files: 0, documents: 0, specs: 0, specsFromCache: 0, operations: 0 },
  };
}

type KindIndex = Map<string, Resource[]>;

function indexResources(resources: Resource[]): KindIndex {
  const index: KindIndex = new Map();
  for (const r of resources) {
    const k = `${r.id.group}/${r.id.kind}`;
    if (!index.has(k)) index.set(k, []);
    index.get(k)!.push(r);
  }
  return index;
}

function ofKind(index: KindIndex, group: string, kind: string): Resource[] {
  return index.get(`${group}/${kind}`) ?? [];
}

function keyOf(namespace: string, name: string): CatalogKey {
  return `${namespace}/${name}`;
}

/** Is this a Traefik API in the shape used before March 2024 (spec.pathPrefix / spec.service)? */
export function isLegacyHubApi(r: Resource): boolean {
  return r.id.group === HUB && r.id.kind === 'API' && (r.spec.pathPrefix !== undefined || r.spec.service !== undefined);
}

/** Validates every resource against its CRD schema; returns the errors of each, by identity, so a broken API can name them. */
function validateResources(resources: Resource[], diagnostics: Diagnostic[]): Map<string, Diagnostic[]> {
  const errors = new Map<string, Diagnostic[]>();
  const report = (r: Resource, d: Diagnostic): void => {
    diagnostics.push(d);
    if (d.severity === 'error') errors.set(r.identity, [...(errors.get(r.identity) ?? []), d]);
  };
  for (const r of resources) {
    if (isLegacyHubApi(r)) continue; // reported, with its migration, by the legacy rule
    let issues;
    try {
      issues = validateResource(r.body);
    } catch (err) {
      // Portico's own failure, not the resource's: reported, but it leaves no API out of the site.
      diagnostics.push(diagnosticAt(r.file, r.doc, [], 'error', 'resource', `cannot validate ${r.id.kind}: ${(err as Error).message}`));
      continue;
    }
    for (const issue of issues ?? []) {
      report(r, diagnosticAt(r.file, r.doc, issue.path, issue.severity ?? 'error', 'resource', `${r.id.kind} ${r.id.namespace}/${r.id.name}: ${issue.message}`));
    }
  }
  return errors;
}

function reportLegacyKind(r: Resource, diagnostics: Diagnostic[]): void {
  const replacement: Record<string, string> = {
    APIAccess: 'APICatalogItem (who sees which APIs) plus APIPlan and ManagedSubscription (who may call them)',
    APICollection: 'APIBundle',
    APIGateway: 'nothing: routing moved to IngressRoutes annotated with hub.traefik.io/api',
  };
  diagnostics.push(
    diagnosticAt(
      r.file,
      r.doc,
      ['kind'],
      'warning',
      'legacy',
      `${r.id.kind} was removed from Traefik Hub; Portico reads it as ${replacement[r.id.kind]}`,
      `replace ${r.id.kind} "${r.id.name}" with ${replacement[r.id.kind]}`,
    ),
  );
}

// ---------------------------------------------------------------- plans

function hubLimit(value: any, defaultPeriod: number): Limit | undefined {
  if (!value || typeof value !== 'object' || typeof value.limit !== 'number') return undefined;
  return {
    requests: value.limit,
    periodSeconds: parseGoDuration(value.period) ?? defaultPeriod,
    ...(value.bucket ? { bucket: value.bucket } : {}),
  };
}

function readHubPlans(index: KindIndex): CatalogPlan[] {
  return ofKind(index, HUB, 'APIPlan').map((r) => ({
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
    description: typeof r.spec.description === 'string' ? r.spec.description : undefined,
    // Traefik Hub's defaults: rate limit per second, quota per month (30 days).
    rateLimit: hubLimit(r.spec.rateLimit, 1),
    quota: hubLimit(r.spec.quota, 30 * 24 * 3600),
    source: sourceOf(r),
  }));
}

function readTykPlans(index: KindIndex): CatalogPlan[] {
  return ofKind(index, TYK, 'SecurityPolicy').map((r) => {
    const s = r.spec;
    const rate = typeof s.rate === 'number' && s.rate > 0 && typeof s.per === 'number' && s.per > 0 ? { requests: s.rate, periodSeconds: s.per } : undefined;
    // Tyk: quota_max -1 means unlimited; quota_renewal_rate is the period in seconds.
    const quota =
      typeof s.quota_max === 'number' && s.quota_max > 0 && typeof s.quota_renewal_rate === 'number' && s.quota_renewal_rate > 0
        ? { requests: s.quota_max, periodSeconds: s.quota_renewal_rate }
        : undefined;
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof s.name === 'string' ? s.name : r.id.name,
      description: r.annotations['portico.dev/description'],
      rateLimit: rate,
      quota,
      source: sourceOf(r),
    };
  });
}

// ---------------------------------------------------------------- APIs

function readOperationSets(openApiSpec: any): OperationSet[] {
  if (!openApiSpec || !Array.isArray(openApiSpec.operationSets)) return [];
  return openApiSpec.operationSets
    .filter((s: any) => s && typeof s.name === 'string')
    .map((s: any) => ({
      name: s.name,
      matchers: (Array.isArray(s.matchers) ? s.matchers : []).map((m: any) => ({
        path: m.path,
        pathPrefix: m.pathPrefix,
        pathRegex: m.pathRegex,
        methods: Array.isArray(m.methods) ? m.methods : undefined,
      })),
    }));
}

interface VersionInput {
  name: string;
  release?: string;
  title?: string;
  description?: string;
  resource: Resource;
  openApiSpec: any;
  openApiSpecPath: string[];
  extraSets: OperationSet[];
  /** How the cluster finds the Service that serves `openApiSpec.path`: a route annotation, or the legacy `spec.service`. */
  servedBy: { annotation: string; name: string } | { service: ServiceRef };
}

async function readApis(
  ctx: SpecLoadContext,
  index: KindIndex,
  resourceErrors: Map<string, Diagnostic[]>,
  onProgress: LoadCatalogOptions['onProgress'],
): Promise<{ apis: CatalogApi[]; failedApis: FailedApi[] }> {
  const apis: CatalogApi[] = [];
  const failedApis: FailedApi[] = [];
  /**
   * Reads one API and notes it as failed when reading it reported an error (a missing or broken spec,
   * an unknown version) or one of its own resources breaks its CRD schema. APIs are read one after
   * another, so the diagnostics added while reading one are its own.
   */
  const readOne = async (owned: () => Resource[], read: () => Promise<CatalogApi>): Promise<void> => {
    const before = ctx.diagnostics.length;
    const api = await read();
    const reasons = [...owned().flatMap((r) => resourceErrors.get(r.identity) ?? []), ...ctx.diagnostics.slice(before).filter((d) => d.severity === 'error')];
    apis.push(api);
    if (reasons.length > 0) failedApis.push({ key: api.key, id: api.id, source: api.source, reasons });
  };
  const cluster = indexCluster(ctx.scan.resources);
  const hubApis = ofKind(index, HUB, 'API');
  const versionsByKey = new Map(ofKind(index, HUB, 'APIVersion').map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  const usedVersions = new Set<string>();
  const tykOas = ofKind(index, TYK, 'TykOasApiDefinition');
  const tykClassic = ofKind(index, TYK, 'ApiDefinition');
  const total = hubApis.length + tykOas.length + tykClassic.length;
  let done = 0;

  for (const r of hubApis) {
    const owned: Resource[] = [r];
    await readOne(
      () => owned,
      () => readHubApi(ctx, cluster, r, versionsByKey, usedVersions, owned),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }

  for (const [key, vr] of versionsByKey) {
    if (!usedVersions.has(key)) {
      ctx.diagnostics.push(diagnosticAt(vr.file, vr.doc, ['metadata', 'name'], 'warning', 'orphan', `APIVersion ${key} is not listed in any API's spec.versions, so no portal shows it`));
    }
  }

  const configMaps = new Map((index.get('/ConfigMap') ?? []).map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  for (const r of tykOas) {
    await readOne(
      () => [r],
      () => readTykOasApi(ctx, r, configMaps),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }
  for (const r of tykClassic) {
    const s = r.spec;
    const auth = [
      s.use_keyless ? 'keyless' : undefined,
      s.use_standard_auth ? 'authToken' : undefined,
      s.use_basic_auth ? 'basic' : undefined,
      s.enable_jwt ? 'jwt' : undefined,
      s.use_oauth2 ? 'oauth2' : undefined,
    ].filter((x): x is string => !!x);
    const version: ApiVersion = {
      name: r.id.name,
      release: '0.0.0',
      title: s.name ?? r.id.name,
      deprecated: false,
      origin: { kind: 'none' },
      servers: [],
      operations: [],
      webhooks: [],
      tags: [],
      schemaNames: [],
      securitySchemes: {},
      operationSets: [],
      source: sourceOf(r),
    };
    await readOne(
      () => [r],
      async () => finishApi(r, [version], { gateway: 'tyk', flavour: 'classic', listenPath: s.proxy?.listen_path, upstreamUrl: s.proxy?.target_url, authentication: auth }, s.name, undefined),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }
  return { apis: apis.sort((a, b) => a.key.localeCompare(b.key)), failedApis: failedApis.sort((a, b) => a.key.localeCompare(b.key)) };
}

/** Reads one Traefik Hub API with its versions; adds the APIVersion resources it reads to `owned`. */
async function readHubApi(ctx: SpecLoadContext, cluster: ClusterIndex, r: Resource, versionsByKey: Map<CatalogKey, Resource>, usedVersions: Set<string>, owned: Resource[]): Promise<CatalogApi> {
  const legacy = isLegacyHubApi(r);
  const inputs: VersionInput[] = [];
  if (legacy) {
    ctx.diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        r.spec.pathPrefix !== undefined ? ['spec', 'pathPrefix'] : ['spec', 'service'],
        'warning',
        'legacy',
        `API ${r.id.name} uses the Traefik Hub shape from before March 2024 (spec.pathPrefix, spec.service); Portico migrated it in memory`,
        `move spec.service.openApiSpec to spec.openApiSpec, delete spec.pathPrefix and spec.service, and route the API with an IngressRoute annotated hub.traefik.io/api: ${r.id.name}`,
      ),
    );
    const service = r.spec.service;
    const servedBy =
      typeof service?.name === 'string'
        ? { service: { name: service.name, namespace: r.id.namespace, port: service.port?.number ?? service.port?.name, via: `API ${r.id.name} (spec.service)` } }
        : { annotation: 'hub.traefik.io/api', name: r.id.name };
    inputs.push({
      name: r.id.name,
      resource: r,
      openApiSpec: service?.openApiSpec,
      openApiSpecPath: ['spec', 'service', 'openApiSpec'],
      extraSets: [],
      title: r.spec.title,
      description: r.spec.description,
      servedBy,
    });
  } else if (Array.isArray(r.spec.versions) && r.spec.versions.length > 0) {
    const apiSets = readOperationSets(r.spec.openApiSpec);
    r.spec.versions.forEach((v: any, i: number) => {
      const vr = versionsByKey.get(keyOf(r.id.namespace, String(v?.name)));
      if (!vr) {
        ctx.diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'versions', i, 'name'],
            'error',
            'reference',
            `API ${r.id.name} lists version "${v?.name}", but there is no APIVersion "${v?.name}" in namespace ${r.id.namespace}`,
          ),
        );
        return;
      }
      usedVersions.add(keyOf(vr.id.namespace, vr.id.name));
      inputs.push({
        name: vr.id.name,
        release: vr.spec.release,
        title: vr.spec.title,
        description: vr.spec.description,
        resource: vr,
        openApiSpec: vr.spec.openApiSpec,
        openApiSpecPath: ['spec', 'openApiSpec'],
        extraSets: apiSets,
        servedBy: { annotation: 'hub.traefik.io/api-version', name: vr.id.name },
      });
    });
  } else {
    inputs.push({
      name: r.id.name,
      resource: r,
      openApiSpec: r.spec.openApiSpec,
      openApiSpecPath: ['spec', 'openApiSpec'],
      extraSets: [],
      title: r.spec.title,
      description: r.spec.description,
      servedBy: { annotation: 'hub.traefik.io/api', name: r.id.name },
    });
  }
  const versions: ApiVersion[] = [];
  for (const input of inputs) versions.push(await readHubVersion(ctx, cluster, input));
  for (const input of inputs) if (input.resource !== r) owned.push(input.resource);
  return finishApi(r, versions, { gateway: 'traefik-hub', legacy }, r.spec.title, r.spec.description);
}

function finishApi(r: Resource, versions: ApiVersion[], gateway: CatalogApi['gateway'], title: unknown, description: unknown): CatalogApi {
  versions.sort(compareReleasesDesc);
  const newest = versions[0];
  const info = (newest?.spec?.document.info ?? {}) as Record<string, unknown>;
  return {
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof title === 'string' && title ? title : typeof info.title === 'string' ? info.title : r.id.name,
    description: typeof description === 'string' && description ? description : typeof info.description === 'string' ? info.description : undefined,
    labels: r.labels,
    gateway,
    versions,
    source: sourceOf(r),
  };
}

/** Orders versions newest release first (semver; releases that are not semver sort last, by name). */
export function compareReleasesDesc(a: { release: string; name: string }, b: { release: string; name: string }): number {
  const va = semver.valid(a.release) ?? semver.coerce(a.release)?.version;
  const vb = semver.valid(b.release) ?? semver.coerce(b.release)?.version;
  if (va && vb) return semver.rcompare(va, vb) || a.name.localeCompare(b.name);
  if (va) return -1;
  if (vb) return 1;
  return a.name.localeCompare(b.name);
}

async function readHubVersion(ctx: SpecLoadContext, cluster: ClusterIndex, input: VersionInput): Promise<ApiVersion> {
  const r = input.resource;
  const oas = input.openApiSpec;
  let loaded: LoadedSpec | undefined;
  let origin: SpecOrigin = { kind: 'none' };
  const at = (field: string, severity: 'error' | 'warning', message: string, hint?: string): void => {
    ctx.diagnostics.push(diagnosticAt(r.file, r.doc, [...input.openApiSpecPath, field], severity, 'openapi', message, hint));
  };
  const fromFile = (file: string, declaredPath: string): void => {
    loaded = loadSpecFile(ctx, file);
    origin = { kind: 'path', file, declaredPath };
  };
  const fromConfigMap = (served: ServedDocument): void => {
    ctx.stats.specs++;
    const cm = served.configMap;
    // A key kustomize generated from a file is that file, byte for byte: place the spec in it.
    const ownFile = cm.doc.fileOf?.(['data', served.key]);
    const base = ownFile ? () => ({ line: 0, column: -1 }) : () => cm.doc.positionOf(['data', served.key]);
    loaded = loadInlineSpec(ctx, served.text, /^\s*\{/.test(served.text) ? 'embedded.json' : 'embedded.yaml', ownFile ?? cm.file, base, false, true);
    origin = { kind: 'configmap', configMap: keyOf(cm.id.namespace, cm.id.name), key: served.key, file: ownFile ?? cm.file };
  };
  const annotation = r.annotations[OPENAPI_FILE_ANNOTATION];
  const annotated = annotation ? path.posix.normalize(path.posix.join(path.posix.dirname(r.file), annotation)) : undefined;
  const hasSpec = oas && (typeof oas.url === 'string' || typeof oas.path === 'string');

  if (hasSpec && annotated !== undefined && typeof oas.url === 'string') {
    // The annotation names the repository's copy, and wins over the URL: the build needs no network.
    const inside = !annotated.startsWith('../') && !path.posix.isAbsolute(annotated);
    if (inside && existsSync(path.join(ctx.root, annotated))) fromFile(annotated, oas.url);
    else {
      ctx.diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['metadata', 'annotations', OPENAPI_FILE_ANNOTATION],
          'error',
          'openapi',
          `${r.id.kind} ${r.id.name}: annotation ${OPENAPI_FILE_ANNOTATION} names ${annotated}, which ${inside ? 'does not exist' : 'is outside the content root'}`,
          'fix the path (it is relative to this manifest), or remove the annotation to use openApiSpec.url',
        ),
      );
    }
  } else if (hasSpec && typeof oas.url === 'string') {
    const inCluster = parseInClusterUrl(cluster, oas.url, r.id.namespace);
    if (inCluster) {
      // An in-cluster address answers only inside the cluster: read what the Service serves from the repository instead.
      const served = findServedDocument(cluster, inCluster.service, inCluster.path, true);
      if ('found' in served) fromConfigMap(served.found);
      else
        at(
          'url',
          'error',
          `${r.id.kind} ${r.id.name}: openApiSpec.url ${oas.url} is an address inside the cluster, which Portico follows through the repository instead of fetching it, and ${served.missing}`,
          `add the missing link to the repository, or keep the spec in a file named with the annotation ${OPENAPI_FILE_ANNOTATION}`,
        );
    } else {
      loaded = await loadSpecUrl(ctx, r, oas.url, [...input.openApiSpecPath, 'url']);
      if (loaded) origin = { kind: 'url', url: oas.url, fromCache: loaded.fromCache };
    }
  } else if (hasSpec && typeof oas.path === 'string') {
    const candidates = specFileCandidates(r, oas.path);
    const file = candidates.find((c) => existsSync(path.join(ctx.root, c)));
    if (file) fromFile(file, oas.path);
    else {
      const served = findServedSpec(cluster, input.servedBy, r.id.namespace, oas.path);
      if ('found' in served) fromConfigMap(served.found);
      else
        at(
          'path',
          'error',
          `${r.id.kind} ${r.id.name}: no file for openApiSpec.path "${oas.path}"; looked for ${candidates.join(', ')}; and in the cluster: ${served.missing}`,
          `put the document at one of those paths, name it with the annotation ${OPENAPI_FILE_ANNOTATION}, or add the missing link to the ConfigMap that holds it`,
        );
    }
  } else {
    ctx.diagnostics.push(
      diagnosticAt(r.file, r.doc, input.openApiSpecPath.slice(0, -1), 'warning', 'openapi', `${r.id.kind} ${r.id.name} has no openApiSpec, so the portal can show no operations for it`),
    );
  }
  const overrideServers = Array.isArray(oas?.override?.servers) ? (oas.override.servers as Server[]).filter((s) => typeof s?.url === 'string') : undefined;
  const sets = [...input.extraSets, ...readOperationSets(oas)];
  const deprecatedByAnnotation = r.annotations['portico.dev/deprecated'] === 'true';
  return buildVersion(ctx, input.name, input.release, input.title, input.description, loaded, origin, sets, overrideServers, sourceOf(r), deprecatedByAnnotation);
}

/** The ConfigMap key served at `httpPath` by the Service behind the version, tried Service by Service. */
function findServedSpec(cluster: ClusterIndex, servedBy: VersionInput['servedBy'], namespace: string, httpPath: string): ServedLookup {
  const routed = 'service' in servedBy ? { services: [servedBy.service] } : findRouteServices(cluster, servedBy.annotation, servedBy.name, namespace);
  if ('missing' in routed) return routed;
  let first: ServedLookup | undefined;
  for (const service of routed.services) {
    const served = findServedDocument(cluster, service, httpPath);
    if ('found' in served) return served;
    first ??= served;
  }
  return first!;
}

function buildVersion(
  ctx: SpecLoadContext,
  name: string,
  release: string | undefined,
  title: string | undefined,
  description: string | undefined,
  loaded: LoadedSpec | undefined,
  origin: SpecOrigin,
  sets: OperationSet[],
  overrideServers: Server[] | undefined,
  source: SourceRef,
  deprecatedByAnnotation = false,
): ApiVersion {
  if (loaded) ctx.diagnostics.push(...specDiagnostics(loaded.spec));
  const doc = loaded?.spec.document;
  const usable = !!doc && typeof (doc as any).openapi === 'string';
  const extracted = usable ? extractSpec(doc!, loaded!.spec.operationSources, sets, source) : undefined;
  if (usable && overrideServers) (doc as Record<string, unknown>).servers = overrideServers; // override.servers replaces servers (DESIGN.md 3)
  const info = ((usable ? doc!.info : undefined) ?? {}) as Record<string, unknown>;
  // A version is deprecated when its resource says so (annotation), its spec says so (x-deprecated), or every operation is.
  const deprecated = deprecatedByAnnotation || info['x-deprecated'] === true || (extracted ? extracted.operations.length > 0 && extracted.operations.every((o) => o.deprecated) : false);
  return {
    name,
    release: release ?? (typeof info.version === 'string' ? info.version : '0.0.0'),
    title: title ?? (typeof info.title === 'string' ? info.title : name),
    description: description ?? (typeof info.description === 'string' ? info.description : undefined),
    deprecated,
    origin,
    spec: usable ? { sourceVersion: loaded!.spec.sourceVersion, document: doc!, contentHash: loaded!.contentHash, files: loaded!.files } : undefined,
    servers: overrideServers ?? extracted?.servers ?? [],
    operations: extracted?.operations ?? [],
    webhooks: extracted?.webhooks ?? [],
    tags: extracted?.tags ?? [],
    schemaNames: extracted?.schemaNames ?? [],
    securitySchemes: extracted?.securitySchemes ?? {},
    operationSets: sets,
    source,
  };
}

async function readTykOasApi(ctx: SpecLoadContext, r: Resource, configMaps: Map<string, Resource>): Promise<CatalogApi> {
  const ref = r.spec.tykOAS?.configmapRef ?? {};
  const cmKey = keyOf(typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : r.id.namespace, String(ref.name));
  const keyName = typeof ref.keyName === 'string' ? ref.keyName : '';
  const cm = configMaps.get(cmKey);
  let loaded: LoadedSpec | undefined;
  let origin: SpecOrigin = { kind: 'none' };
  if (!cm) {
    ctx.diagnostics.push(
      diagnosticAt(r.file, r.doc, ['spec', 'tykOAS', 'configmapRef', 'name'], 'error', 'reference', `TykOasApiDefinition ${r.id.name} refers to ConfigMap ${cmKey}, which is not in the repository`),
    );
  } else if (typeof cm.body.data?.[keyName] !== 'string') {
    ctx.diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['spec', 'tykOAS', 'configmapRef', 'keyName'],
        'error',
        'reference',
        `ConfigMap ${cmKey} has no data key "${keyName}" (it has: ${Object.keys(cm.body.data ?? {}).join(', ') || 'none'})`,
      ),
    );
  } else {
    ctx.stats.specs++;
    const text = cm.body.data[keyName] as string;
    loaded = loadInlineSpec(ctx, text, /^\s*\{/.test(text) ? 'embedded.json' : 'embedded.yaml', cm.file, () => cm.doc.positionOf(['data', keyName]), false, true);
    origin = { kind: 'configmap', configMap: cmKey, key: keyName, file: cm.file };
  }
  const tyk = ((loaded?.spec.document as any)?.['x-tyk-api-gateway'] ?? {}) as any;
  const schemes = tyk.server?.authentication?.securitySchemes ?? {};
  const auth = Object.entries(schemes)
    .filter(([, v]: [string, any]) => v?.enabled !== false)
    .map(([k]) => k);
  const version = buildVersion(ctx, r.id.name, undefined, undefined, undefined, loaded, origin, [], undefined, sourceOf(r));
  return finishApi(r, [version], { gateway: 'tyk', flavour: 'oas', listenPath: tyk.server?.listenPath?.value, upstreamUrl: tyk.upstream?.url, authentication: auth }, tyk.info?.name, undefined);
}

// ---------------------------------------------------------------- bundles, catalog items, portals

/** Does a Kubernetes label selector match these labels? An empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

interface RefCheck {
  apis: Set<CatalogKey>;
  plans: Set<CatalogKey>;
  bundles: Set<CatalogKey>;
  diagnostics: Diagnostic[];
}

/** Resolves a `[{name}]` list to keys in the resource's namespace, reporting names that exist nowhere. */
function resolveNames(r: Resource, list: unknown, field: string, known: Set<CatalogKey>, what: string, diagnostics: Diagnostic[]): CatalogKey[] {
  if (!Array.isArray(list)) return [];
  const out: CatalogKey[] = [];
  list.forEach((entry, i) => {
    const name = entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return;
    const key = keyOf(r.id.namespace, name);
    if (!known.has(key)) {
      diagnostics.push(
        diagnosticAt(r.file, r.doc, ['spec', field, i, 'name'], 'error', 'reference', `${r.id.kind} ${r.id.name} refers to ${what} "${name}", which does not exist in namespace ${r.id.namespace}`),
      );
      return;
    }
    if (!out.includes(key)) out.push(key);
  });
  return out;
}

function selectApis(r: Resource, apis: CatalogApi[]): { keys: CatalogKey[]; selector?: LabelSelector } {
  const selector = r.spec.apiSelector as LabelSelector | undefined;
  if (!selector || typeof selector !== 'object') return { keys: [] };
  const keys = apis.filter((a) => a.id.namespace === r.id.namespace && a.gateway.gateway === 'traefik-hub' && selectorMatches(selector, a.labels)).map((a) => a.key);
  return { keys, selector };
}

function readBundles(index: KindIndex, apis: CatalogApi[], diagnostics: Diagnostic[]): CatalogBundle[] {
  const apiKeys = new Set(apis.map((a) => a.key));
  return ofKind(index, HUB, 'APIBundle').map((r) => {
    const listed = resolveNames(r, r.spec.apis, 'apis', apiKeys, 'API', diagnostics);
    const selected = selectApis(r, apis);
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
      apis: [...new Set([...listed, ...selected.keys])].sort(),
      selector: selected.selector,
      source: sourceOf(r),
    };
  });
}

function readVisibility(r: Resource): CatalogItem['visibility'] {
  if (r.spec.everyone === true) return { everyone: true };
  const groups = Array.isArray(r.spec.groups) ? r.spec.groups.filter((g: unknown): g is string => typeof g === 'string') : [];
  return { everyone: false, groups };
}

function readHubCatalogItems(index: KindIndex, apis: CatalogApi[], bundles: CatalogBundle[], refs: RefCheck): CatalogItem[] {
  const items: CatalogItem[] = [];
  for (const r of ofKind(index, HUB, 'APICatalogItem')) {
    const listed = resolveNames(r, r.spec.apis, 'apis', refs.apis, 'API', refs.diagnostics);
    const bundleKeys = resolveNames(r, r.spec.apiBundles, 'apiBundles', refs.bundles, 'APIBundle', refs.diagnostics);
    const viaBundles = bundles.filter((b) => bundleKeys.includes(b.key)).flatMap((b) => b.apis);
    const selected = selectApis(r, apis);
    const plan = readPlanRef(r, refs);
    items.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: r.annotations['portico.dev/title'] ?? r.id.name,
      visibility: readVisibility(r),
      apis: [...new Set([...listed, ...viaBundles, ...selected.keys])].sort(),
      bundles: bundleKeys,
      plan,
      operationFilter: Array.isArray(r.spec.operationFilter?.include) ? r.spec.operationFilter.include.filter((x: unknown) => typeof x === 'string') : [],
      selfService: plan !== undefined,
      approval: readApproval(r, refs.diagnostics),
      source: sourceOf(r),
    });
  }
  // Legacy APIAccess: who sees which APIs (listed, selected, through bundles), and on which plan,
  // read as the catalog item that replaced it; with a plan, it is offered as that item would be.
  for (const r of ofKind(index, HUB, 'APIAccess')) {
    const selected = selectApis(r, apis);
    const bundleKeys = resolveNames(r, r.spec.apiBundles, 'apiBundles', refs.bundles, 'APIBundle', refs.diagnostics);
    const viaBundles = bundles.filter((b) => bundleKeys.includes(b.key)).flatMap((b) => b.apis);
    const plan = readPlanRef(r, refs);
    items.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: r.annotations['portico.dev/title'] ?? r.id.name,
      visibility: readVisibility(r),
      apis: [...new Set([...resolveNames(r, r.spec.apis, 'apis', refs.apis, 'API', refs.diagnostics), ...viaBundles, ...selected.keys])].sort(),
      bundles: bundleKeys,
      plan,
      operationFilter: Array.isArray(r.spec.operationFilter?.include) ? r.spec.operationFilter.include.filter((x: unknown) => typeof x === 'string') : [],
      selfService: plan !== undefined,
      approval: readApproval(r, refs.diagnostics),
      source: sourceOf(r),
    });
  }
  return items;
}

const APPROVAL_ANNOTATION = 'portico.dev/approval';

/** The item's approval mode; an unknown value is reported and read as the safer `pull-request`. */
function readApproval(r: Resource, diagnostics: Diagnostic[]): ApprovalMode {
  const value = r.annotations[APPROVAL_ANNOTATION];
  if (value === undefined || value === 'instant') return 'instant';
  if (value === 'pull-request') return 'pull-request';
  diagnostics.push(
    diagnosticAt(
      r.file,
      r.doc,
      ['metadata', 'annotations', APPROVAL_ANNOTATION],
      'error',
      'annotation',
      `${r.id.kind} ${r.id.name}: annotation ${APPROVAL_ANNOTATION} is "${value}"; use "instant" or "pull-request" (read as pull-request until fixed)`,
    ),
  );
  return 'pull-request';
}

function readPlanRef(r: Resource, refs: RefCheck): CatalogKey | undefined {
  const name = r.spec.apiPlan?.name;
  if (typeof name !== 'string') return undefined;
  const key = keyOf(r.id.namespace, name);
  if (!refs.plans.has(key)) {
    refs.diagnostics.push(
      diagnosticAt(r.file, r.doc, ['spec', 'apiPlan', 'name'], 'error', 'reference', `${r.id.kind} ${r.id.name} refers to APIPlan "${name}", which does not exist in namespace ${r.id.namespace}`),
    );
    return undefined;
  }
  return key;
}

/**
 * Tyk has no catalog items: each active SecurityPolicy offers the APIs in its access rights,
 * on itself as the plan, to everyone (or to the groups in annotation `portico.dev/groups`).
 */
function readTykCatalogItems(index: KindIndex, apis: CatalogApi[], refs: RefCheck): CatalogItem[] {
  const items: CatalogItem[] = [];
  for (const r of ofKind(index, TYK, 'SecurityPolicy')) {
    const rights = Array.isArray(r.spec.access_rights_array) ? r.spec.access_rights_array : [];
    const keys: CatalogKey[] = [];
    rights.forEach((right: any, i: number) => {
      if (!right || typeof right.name !== 'string') return;
      const key = keyOf(typeof right.namespace === 'string' && right.namespace ? right.namespace : r.id.namespace, right.name);
      // A version folded into a base API (api-versioning.ts) is granted through the base API.
      const api = apis.find((a) => (a.key === key || a.aliases?.includes(key)) && a.gateway.gateway === 'tyk');
      if (!api) {
        refs.diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'access_rights_array', i, 'name'],
            'error',
            'reference',
            `SecurityPolicy ${r.id.name} grants access to ${right.kind ?? 'ApiDefinition'} ${key}, which is not in the repository`,
          ),
        );
        return;
      }
      keys.push(api.key);
    });
    const groups = (r.annotations['portico.dev/groups'] ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const active = r.spec.active !== false && (r.spec.state ?? 'active') === 'active';
    items.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof r.spec.name === 'string' ? r.spec.name : r.id.name,
      visibility: groups.length ? { everyone: false, groups } : { everyone: true },
      apis: [...new Set(keys)].sort(),
      bundles: [],
      plan: active ? keyOf(r.id.namespace, r.id.name) : undefined,
      operationFilter: [],
      selfService: active,
      approval: readApproval(r, refs.diagnostics),
      source: sourceOf(r),
    });
  }
  return items;
}

/**
 * A keyless Tyk API lets everyone through, so its docs are public: an API no policy already shows
 * to everyone gets an item of its own, visible to everyone, with no plan (nothing to subscribe to).
 */
function keylessTykItems(apis: CatalogApi[], tykItems: CatalogItem[]): CatalogItem[] {
  // Shown to someone not signed in, in any portal (Tyk has no portal resource).
  const shown = new Set(tykItems.filter((i) => isVisibleTo(i, {})).flatMap((i) => i.apis));
  return apis
    .filter((a) => a.gateway.gateway === 'tyk' && !shown.has(a.key) && a.versions.length > 0 && a.versions.every((v) => v.gatewayAuth?.keyless))
    .map((a) => ({
      key: `${a.key}-keyless`,
      id: { ...a.id, name: `${a.id.name}-keyless` },
      title: `${a.title} (no key needed)`,
      visibility: { everyone: true },
      apis: [a.key],
      bundles: [],
      plan: undefined,
      operationFilter: [],
      selfService: false,
      approval: 'instant' as const,
      source: a.source,
    }));
}

function checkOperationFilters(items: CatalogItem[], apis: CatalogApi[], index: KindIndex, diagnostics: Diagnostic[]): void {
  const resources = new Map(ofKind(index, HUB, 'APICatalogItem').map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  for (const item of items) {
    const r = resources.get(item.key);
    if (!r) continue;
    const known = new Set(apis.filter((a) => item.apis.includes(a.key)).flatMap((a) => a.versions.flatMap((v) => v.operationSets.map((s) => s.name))));
    item.operationFilter.forEach((name, i) => {
      if (!known.has(name)) {
        diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'operationFilter', 'include', i],
            'error',
            'operation-set',
            `APICatalogItem ${r.id.name} includes operation set "${name}", which none of its APIs declares`,
          ),
        );
      }
    });
  }
}

function readPortals(index: KindIndex, items: CatalogItem[]): CatalogPortal[] {
  return ofKind(index, HUB, 'APIPortal').map((r) => ({
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
    description: typeof r.spec.description === 'string' ? r.spec.description : undefined,
    logoUrl: typeof r.spec.ui?.logoUrl === 'string' ? r.spec.ui.logoUrl : undefined,
    trustedUrls: Array.isArray(r.spec.trustedUrls) ? r.spec.trustedUrls.filter((u: unknown) => typeof u === 'string') : [],
    items: items.filter((i) => i.id.namespace === r.id.namespace).map((i) => i.key),
    source: sourceOf(r),
  }));
}

// ---------------------------------------------------------------- applications, subscriptions, guides

function readApplications(index: KindIndex, diagnostics: Diagnostic[]): CatalogApplication[] {
  return ofKind(index, HUB, 'ManagedApplication').map((r) => {
    const keys = Array.isArray(r.spec.apiKeys) ? r.spec.apiKeys : [];
    keys.forEach((k: any, i: number) => {
      if (k && typeof k.value === 'string') {
        diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'apiKeys', i, 'value'],
            'warning',
            'resource',
            `ManagedApplication ${r.id.name} keeps an API key in plain text in Git`,
            'use secretName with an encrypted Secret (SOPS or SealedSecret) instead of value',
          ),
        );
      }
    });
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      appId: String(r.spec.appId ?? r.id.name),
      owner: String(r.spec.owner ?? ''),
      notes: typeof r.spec.notes === 'string' ? r.spec.notes : undefined,
      apiKeys: keys
        .filter((k: any) => k && typeof k === 'object')
        .map((k: any) => ({
          title: typeof k.title === 'string' ? k.title : undefined,
          secretName: typeof k.secretName === 'string' ? k.secretName : undefined,
          suspended: k.suspended === true,
          inline: typeof k.value === 'string',
        })),
      source: sourceOf(r),
    };
  });
}

/** The appIds a ManagedSubscription covers: listed by appId, by ManagedApplication name, or by label selector. */
function subscribedAppIds(r: Resource, apps: Resource[], diagnostics: Diagnostic[]): string[] {
  const ids = (Array.isArray(r.spec.applications) ? r.spec.applications : []).map((a: any) => a?.appId).filter((x: unknown): x is string => typeof x === 'string');
  const inNamespace = apps.filter((a) => a.id.namespace === r.id.namespace);
  (Array.isArray(r.spec.managedApplications) ? r.spec.managedApplications : []).forEach((ref: any, i: number) => {
    const app = inNamespace.find((a) => a.id.name === ref?.name);
    if (app) ids.push(String(app.spec.appId ?? app.id.name));
    else
      diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['spec', 'managedApplications', i, 'name'],
          'error',
          'reference',
          `ManagedSubscription ${r.id.name} refers to ManagedApplication "${ref?.name}", which does not exist in namespace ${r.id.namespace}`,
        ),
      );
  });
  const selector = r.spec.managedApplicationSelector as LabelSelector | undefined;
  if (selector && typeof selector === 'object') for (const app of inNamespace) if (selectorMatches(selector, app.labels)) ids.push(String(app.spec.appId ?? app.id.name));
  return [...new Set(ids)];
}

function readSubscriptions(index: KindIndex, refs: RefCheck): CatalogSubscription[] {
  const out: CatalogSubscription[] = [];
  const apps = ofKind(index, HUB, 'ManagedApplication');
  for (const r of ofKind(index, HUB, 'ManagedSubscription')) {
    const plan = readPlanRef(r, refs);
    out.push({
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      appIds: subscribedAppIds(r, apps, refs.diagnostics),
      apis: resolveNames(r, r.spec.apis, 'apis', refs.apis, 'API', refs.diagnostics),
      bundles: resolveNames(r, r.spec.apiBundles, 'apiBundles', refs.bundles, 'APIBundle', refs.diagnostics),
      plan: plan ?? keyOf(r.id.namespace, String(r.spec.apiPlan?.name ?? '')),
      operationFilter: Array.isArray(r.spec.operationFilter?.include) ? r.spec.operationFilter.include : [],
      weight: typeof r.spec.weight === 'number' ? r.spec.weight : undefined,
      source: sourceOf(r),
    });
  }
  return out;
}

function readContentItems(index: KindIndex, refs: RefCheck): CatalogGuide[] {
  const portals = new Set(ofKind(index, HUB, 'APIPortal').map((r) => keyOf(r.id.namespace, r.id.name)));
  return ofKind(index, HUB, 'ContentItem').map((r) => {
    const parentKind = r.spec.parentRef?.kind as 'APIPortal' | 'API' | 'APIBundle' | undefined;
    const parentKey = keyOf(r.id.namespace, String(r.spec.parentRef?.name ?? ''));
    const known = parentKind === 'APIPortal' ? portals : parentKind === 'API' ? refs.apis : parentKind === 'APIBundle' ? refs.bundles : undefined;
    if (known && !known.has(parentKey)) {
      refs.diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['spec', 'parentRef', 'name'],
          'error',
          'reference',
          `ContentItem ${r.id.name} belongs to ${parentKind} "${r.spec.parentRef?.name}", which does not exist in namespace ${r.id.namespace}`,
        ),
      );
    }
    return {
      slug: `${r.id.namespace}-${r.id.name}`,
      title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
      order: typeof r.spec.order === 'number' ? r.spec.order : 0,
      markdown: typeof r.spec.content === 'string' ? r.spec.content : undefined,
      link: typeof r.spec.link?.href === 'string' ? r.spec.link.href : undefined,
      parent: parentKind && known?.has(parentKey) ? { kind: parentKind, key: parentKey } : undefined,
      source: sourceOf(r),
    };
  });
}

/** The text of a Markdown document's first level-1 heading, outside code blocks, trimmed. */
export function firstHeading(markdown: string): string | undefined {
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker[0] === fence[0])) {
      fence = fence ? undefined : marker;
      continue;
    }
    if (fence) continue;
    const heading = /^\s{0,3}#\s+(.+?)\s*#*\s*$/.exec(line)?.[1]?.trim();
    if (heading) return heading;
  }
  return undefined;
}

/** Guides from Markdown files under `docs/` in the content root, with optional YAML frontmatter. */
function readMarkdownGuides(root: string, scan: ContentScan, diagnostics: Diagnostic[]): CatalogGuide[] {
  const guides: CatalogGuide[] = [];
  for (const file of scan.markdownFiles.filter((f) => f.startsWith('docs/'))) {
    let text: string;
    try {
      text = readFileSync(path.join(root, file), 'utf8');
    } catch (err) {
      diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file, line: 1, column: 1 });
      continue;
    }
    let meta: Record<string, unknown> = {};
    let body = text;
    const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
    if (fm) {
      body = text.slice(fm[0].length);
      try {
        const parsed = parseYaml(fm[1]!, { logLevel: 'error' }); // its warnings would go to stderr
        if (parsed && typeof parsed === 'object') meta = parsed as Record<string, unknown>;
      } catch (err) {
        diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot parse the frontmatter: ${(err as Error).message.split('\n')[0]}`, file, line: 2, column: 1 });
      }
    }
    const heading = firstHeading(body);
    const title = typeof meta.title === 'string' && meta.title.trim() ? meta.title.trim() : (heading ?? path.basename(file, '.md'));
    guides.push({
      // Sub-folders stay in the slug (docs/setup/install.md is /guides/setup/install/); README and index name their folder.
      slug:
        file
          .replace(/^docs\//, '')
          .replace(/\.md$/i, '')
          .replace(/(^|\/)(readme|index)$/i, '')
          .replace(/[^A-Za-z0-9/-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .toLowerCase() || 'index',
      title,
      description: typeof meta.description === 'string' ? meta.description : undefined,
      order: typeof meta.order === 'number' ? meta.order : 100,
      markdown: body,
      source: { file, line: 1, column: 1 },
    });
  }
  return guides;
}
