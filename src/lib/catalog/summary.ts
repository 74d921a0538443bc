import type { Diagnostic } from './diagnostics.ts';
import type { Catalog, Limit } from './model.ts';

/** What `portico catalog --json` prints: the catalog without the OpenAPI documents themselves. */
export interface CatalogSummary {
  root: string;
  apis: Array<{
    key: string;
    kind: string;
    gateway: string;
    title: string;
    labels: Record<string, string>;
    versions: Array<{
      name: string;
      release: string;
      deprecated: boolean;
      openapi?: string;
      source: string;
      operations: number;
      webhooks: number;
      schemas: number;
      servers: string[];
      operationSets: string[];
    }>;
  }>;
  /** APIs the site leaves out, each with its errors as `file:line:column message`. */
  failedApis: Array<{ key: string; kind: string; source: string; reasons: string[] }>;
  plans: Array<{ key: string; title: string; rateLimit?: Limit; quota?: Limit; limits: string }>;
  catalogItems: Array<{ key: string; visibility: string; apis: string[]; bundles: string[]; plan?: string; operationFilter: string[]; selfService: boolean }>;
  bundles: Array<{ key: string; title: string; apis: string[] }>;
  portals: Array<{ key: string; title: string; items: string[] }>;
  applications: Array<{ key: string; appId: string; owner: string; apiKeys: number }>;
  subscriptions: Array<{ key: string; appIds: string[]; apis: string[]; bundles: string[]; plan: string }>;
  guides: Array<{ slug: string; title: string; source: string }>;
  diagnostics: Diagnostic[];
  stats: Catalog['stats'] & { errors: number; warnings: number };
}

const UNITS: Array<[number, string]> = [
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** Says a limit in plain words: "100 requests per 10 seconds", "10,000 requests per day". */
export function describeLimit(limit: Limit): string {
  const requests = `${limit.requests.toLocaleString('en-US')} ${limit.requests === 1 ? 'request' : 'requests'}`;
  for (const [seconds, unit] of UNITS) {
    if (limit.periodSeconds % seconds === 0) {
      const n = limit.periodSeconds / seconds;
      return `${requests} per ${n === 1 ? unit : `${n.toLocaleString('en-US')} ${unit}s`}`;
    }
  }
  return `${requests} per ${limit.periodSeconds} seconds`;
}

/** Reduces a catalog to what a platform team wants to check: counts, limits, references, diagnostics. */
export function summariseCatalog(catalog: Catalog): CatalogSummary {
  return {
    root: catalog.root,
    apis: catalog.apis.map((a) => ({
      key: a.key,
      kind: a.id.kind,
      gateway: a.gateway.gateway === 'tyk' ? `tyk-${a.gateway.flavour}` : a.gateway.legacy ? 'traefik-hub (legacy shape)' : 'traefik-hub',
      title: a.title,
      labels: a.labels,
      versions: a.versions.map((v) => ({
        name: v.name,
        release: v.release,
        deprecated: v.deprecated,
        openapi: v.spec?.sourceVersion,
        source: v.origin.kind === 'path' ? v.origin.file : v.origin.kind === 'url' ? v.origin.url : v.origin.kind === 'configmap' ? `ConfigMap ${v.origin.configMap}[${v.origin.key}]` : 'none',
        operations: v.operations.length,
        webhooks: v.webhooks.length,
        schemas: v.schemaNames.length,
        servers: v.servers.map((s) => s.url),
        operationSets: v.operationSets.map((s) => s.name),
      })),
    })),
    failedApis: catalog.failedApis.map((f) => ({
      key: f.key,
      kind: f.id.kind,
      source: `${f.source.file}:${f.source.line}`,
      reasons: f.reasons.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
    })),
    plans: catalog.plans.map((p) => ({
      key: p.key,
      title: p.title,
      rateLimit: p.rateLimit,
      quota: p.quota,
      limits:
        [p.rateLimit, p.quota]
          .filter((l): l is Limit => !!l)
          .map(describeLimit)
          .join(', ') || 'no limits',
    })),
    catalogItems: catalog.items.map((i) => ({
      key: i.key,
      visibility: i.visibility.everyone ? 'everyone' : `groups: ${i.visibility.groups.join(', ')}`,
      apis: i.apis,
      bundles: i.bundles,
      plan: i.plan,
      operationFilter: i.operationFilter,
      selfService: i.selfService,
    })),
    bundles: catalog.bundles.map((b) => ({ key: b.key, title: b.title, apis: b.apis })),
    portals: catalog.portals.map((p) => ({ key: p.key, title: p.title, items: p.items })),
    applications: catalog.applications.map((a) => ({ key: a.key, appId: a.appId, owner: a.owner, apiKeys: a.apiKeys.length })),
    subscriptions: catalog.subscriptions.map((s) => ({ key: s.key, appIds: s.appIds, apis: s.apis, bundles: s.bundles, plan: s.plan })),
    guides: catalog.guides.map((g) => ({ slug: g.slug, title: g.title, source: `${g.source.file}:${g.source.line}` })),
    diagnostics: catalog.diagnostics,
    stats: {
      ...catalog.stats,
      errors: catalog.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: catalog.diagnostics.filter((d) => d.severity === 'warning').length,
    },
  };
}
