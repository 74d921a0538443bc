import { existsSync } from 'node:fs';
import path from 'node:path';
import { readApis } from './apis.ts';
import { planAppliedSources, type RepositorySettings } from './applied-sources.ts';
import { applyHubVersionSelectors, mergeTykOasVersions } from './api-versioning.ts';
import { repositorySettings } from '../config.ts';
import { validateResource } from './crd-schema.ts';
import { moveVersionToDemoGateway } from './demo-servers.ts';
import { dropRepeatedParseErrors, type Diagnostic } from './diagnostics.ts';
import { applyGatewayAuthToApis, reportApiAuths } from './gateway-auth.ts';
import { readContentItems, readMarkdownGuides } from './guides.ts';
import { checkOperationFilters, keylessTykItems, readBundles, readHubCatalogItems, readPortals, readTykCatalogItems } from './catalog-items.ts';
import { HUB, indexResources, isLegacyHubApi, TYK } from './kind-index.ts';
import { readApplications, readSubscriptions } from './managed-applications.ts';
import type { Catalog } from './model.ts';
import { applyApiDescriptions, markApiFlavours, readApiRateLimitPlans, reportAiServices, reportPortalAuths } from './other-kinds.ts';
import { readHubPlans, readTykPlans } from './plans.ts';
import type { RefCheck } from './references.ts';
import { type ContentScan, diagnosticAt, scanContent, sourceOf, type Resource } from './resources.ts';
import { applyRouteServers } from './route-servers.ts';
import { SpecCache } from './spec-cache.ts';
import type { SpecLoadContext } from './spec-source.ts';

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
    specUrls: [],
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
  return { root: absRoot, apis, failedApis, plans, bundles, items, portals, applications, subscriptions, guides, references, diagnostics, stats, specUrls: ctx.specUrls };
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
