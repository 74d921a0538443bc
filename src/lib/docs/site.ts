import type { ApiVersion, Catalog, CatalogApi, CatalogBundle, CatalogGuide, CatalogItem, CatalogPlan, CatalogPortal, Limit, Operation } from '../catalog/model.ts';
import { describeLimit } from '../catalog/summary.ts';
import { itemsVisibleTo, type Viewer, viewerOf } from '../catalog/visibility.ts';
import type { RepositoryLinks } from './guide-links.ts';
import { apiSlugs, operationHref, operationSlug, schemaHref, slugify, versionHref } from './urls.ts';

/** A plan as the docs show it: limits in words and the APIs it covers. */
export interface DocsPlan {
  plan: CatalogPlan;
  /** The catalog item that offers the plan: what a subscription names. */
  offer: string;
  slug: string;
  /** "100 requests per 10 seconds, 10,000 requests per day", or "no limits". */
  limits: string;
  apis: Array<{ key: string; title: string; href: string }>;
  /** Operation sets the plan is limited to, empty for every operation. */
  operationFilter: string[];
  selfService: boolean;
}

/** One version of an API with the operations the audience may see and their URLs. */
export interface DocsVersion {
  version: ApiVersion;
  slug: string;
  href: string;
  /** Operations this audience sees (catalog items' operation filters applied), in spec order. */
  operations: Operation[];
  /** URL segment of each operation; unique within the version. */
  operationSlugs: Map<Operation, string>;
}

/** An API as the docs show it. */
export interface DocsApi {
  api: CatalogApi;
  slug: string;
  href: string;
  versions: DocsVersion[];
  /** OpenAPI tags of the newest version. */
  tags: string[];
  bundles: CatalogBundle[];
  plans: DocsPlan[];
}

/** Everything one audience's site shows, computed once per build. */
export interface DocsSite {
  portal?: CatalogPortal;
  apis: DocsApi[];
  plans: DocsPlan[];
  bundles: Array<{ bundle: CatalogBundle; slug: string; apis: string[] }>;
  tags: string[];
  guides: CatalogGuide[];
  /** Where the content repository's files are on the web (for guides' links to them); set by the build. */
  repository?: RepositoryLinks;
}

/** The limits of a plan in plain words. */
export function describePlanLimits(plan: CatalogPlan): string {
  return (
    [plan.rateLimit, plan.quota]
      .filter((l): l is Limit => !!l)
      .map(describeLimit)
      .join(', ') || 'no limits'
  );
}

/**
 * The site a viewer sees: the APIs, plans, bundles and guides of the catalog items visible to them
 * (isVisibleTo decides). With no viewer it is the public site, for someone not signed in.
 */
export function buildDocsSite(catalog: Catalog, viewer: Viewer = viewerOf(catalog)): DocsSite {
  const portal = viewer.portal;
  const items = itemsVisibleTo(catalog.items, viewer);
  const apis = catalog.apis.filter((a) => items.some((i) => i.apis.includes(a.key)));
  const slugs = apiSlugs(apis);
  const apiKeys = new Set(apis.map((a) => a.key));

  const plans: DocsPlan[] = [];
  for (const item of items) {
    const plan = item.plan && catalog.plans.find((p) => p.key === item.plan);
    if (!plan) continue;
    plans.push({
      plan,
      offer: item.key,
      slug: slugify(plan.id.name),
      limits: describePlanLimits(plan),
      apis: item.apis
        .filter((k) => apiKeys.has(k))
        .map((k) => {
          const api = apis.find((a) => a.key === k)!;
          return { key: k, title: api.title, href: `/apis/${slugs.get(k)}/` };
        }),
      operationFilter: item.operationFilter,
      selfService: item.selfService,
    });
  }

  const docsApis: DocsApi[] = apis
    .map((api) => {
      const slug = slugs.get(api.key)!;
      const covering = items.filter((i) => i.apis.includes(api.key));
      const versions = api.versions.map((version) => docsVersion(slug, version, covering));
      return {
        api,
        slug,
        href: `/apis/${slug}/`,
        versions,
        tags: (api.versions[0]?.tags ?? []).map((t) => t.name),
        bundles: catalog.bundles.filter((b) => b.apis.includes(api.key) && items.some((i) => i.bundles.includes(b.key))),
        plans: plans.filter((p) => p.apis.some((a) => a.key === api.key)),
      };
    })
    .sort((a, b) => a.api.title.localeCompare(b.api.title));

  const bundles = catalog.bundles
    .filter((b) => items.some((i) => i.bundles.includes(b.key)))
    .map((bundle) => ({ bundle, slug: slugify(bundle.id.name), apis: bundle.apis.filter((k) => apiKeys.has(k)) }));
  const tags = [...new Set(docsApis.flatMap((a) => a.tags))].sort((a, b) => a.localeCompare(b));
  const guides = catalog.guides
    .filter(
      (g) => !g.parent || (g.parent.kind === 'APIPortal' ? g.parent.key === portal?.key : g.parent.kind === 'API' ? apiKeys.has(g.parent.key) : bundles.some((b) => b.bundle.key === g.parent!.key)),
    )
    .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  return { portal, apis: docsApis, plans, bundles, tags, guides };
}

function docsVersion(apiSlug: string, version: ApiVersion, covering: CatalogItem[]): DocsVersion {
  // An operation is shown when an item covers the whole API, or covers one of its operation sets.
  const whole = covering.some((i) => i.operationFilter.length === 0);
  const sets = new Set(covering.flatMap((i) => i.operationFilter));
  const operations = whole ? version.operations : version.operations.filter((op) => op.operationSets.some((s) => sets.has(s)));
  const operationSlugs = new Map<Operation, string>();
  const used = new Set<string>();
  for (const op of operations) {
    let slug = operationSlug(op.operationId);
    for (let n = 2; used.has(slug.toLowerCase()); n++) slug = `${operationSlug(op.operationId)}-${n}`;
    used.add(slug.toLowerCase());
    operationSlugs.set(op, slug);
  }
  return { version, slug: slugify(version.name), href: versionHref(apiSlug, version.name), operations, operationSlugs };
}

/** Finds an API and version by their URL slugs. */
export function findVersion(site: DocsSite, apiSlug: string, versionSlug?: string): { api: DocsApi; version: DocsVersion } | undefined {
  const api = site.apis.find((a) => a.slug === apiSlug);
  const version = versionSlug ? api?.versions.find((v) => v.slug === versionSlug) : api?.versions[0];
  return api && version ? { api, version } : undefined;
}

/** The URL of an operation's page. */
export function hrefOfOperation(api: DocsApi, version: DocsVersion, op: Operation): string {
  return operationHref(api.slug, version.version.name, version.operationSlugs.get(op) ?? operationSlug(op.operationId));
}

/** The URL of a schema's page. */
export function hrefOfSchema(api: DocsApi, version: DocsVersion, schemaName: string): string {
  return schemaHref(api.slug, version.version.name, schemaName);
}

/**
 * The height a tag's group of operations on an API page is expected to take before it is laid out
 * (it is skipped until scrolled to): 4rem for the heading and margins, 2rem for a description, and
 * 1.75rem per operation (a 1.5rem line, plus long summaries that wrap). Measured on the demo's
 * Shipments page; close enough that a jump to a tag lands on it.
 */
export function groupHeightRem(operations: number, hasDescription: boolean): number {
  return Math.round((4 + (hasDescription ? 2 : 0) + operations * 1.75) * 10) / 10;
}

/** Operations grouped by their first tag, in the order the spec declares tags; untagged ones last. */
export function operationsByTag(version: DocsVersion): Array<{ tag: string; description?: string; operations: Operation[] }> {
  const groups = new Map<string, Operation[]>();
  for (const t of version.version.tags) groups.set(t.name, []);
  for (const op of version.operations) {
    const tag = op.tags[0] ?? 'Other operations';
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag)!.push(op);
  }
  return [...groups].filter(([, ops]) => ops.length > 0).map(([tag, operations]) => ({ tag, description: version.version.tags.find((t) => t.name === tag)?.description, operations }));
}
