// The route table of an API's pages (issue 16): every page and file an API version has, with its
// address. The static pages take their getStaticPaths from it, and the member-only route
// (src/pages/apis/[...path].astro) looks addresses up in it, so a link either one shows resolves.
import type { Operation, Webhook } from '../catalog/model.ts';
import { hasTagPages, tagGroupsOf, type TagGroup } from './api-nav.ts';
import { LIST_PAGE_SIZE, pageCountOf } from './list-pages.ts';
import { operationToMarkdown } from './operation-markdown.ts';
import { schemaBacklinks } from './schema-usage.ts';
import type { DocsApi, DocsSite, DocsVersion } from './site.ts';
import { specToJson, specToYaml } from './spec-download.ts';
import { webhookSlugs } from './webhook-view.ts';

interface OfVersion {
  api: DocsApi;
  version: DocsVersion;
}

/** One page or file of an API, by kind; the comment names its address and its static page under src/pages/apis/. */
export type ApiRoute =
  /** `/apis/<api>/`: the newest version's page (`[api]/index.astro`). */
  | (OfVersion & { kind: 'api' })
  /** `/apis/<api>/<version>/` (`[api]/[version]/index.astro`). */
  | (OfVersion & { kind: 'version' })
  /** `…/operations/<operation>/` (`operations/[operation].astro`). */
  | (OfVersion & { kind: 'operation'; operation: Operation })
  /** `…/operations/<operation>/index.md`, the operation's Markdown twin (`operations/[operation]/index.md.ts`). */
  | (OfVersion & { kind: 'operation-markdown'; operation: Operation })
  /**
   * `…/tags/<tag>/`, one tag's operations, for a version too large to list them on its own page
   * (`tags/[tag].astro`); a long tag's page n > 1 is `…/tags/<tag>/page/<n>/` (`tags/[tag]/page/[page].astro`).
   */
  | (OfVersion & { kind: 'tag'; group: TagGroup; page: number })
  /** `…/schemas/`, the list of the version's schemas (`schemas/index.astro`); page n > 1 is `…/schemas/page/<n>/` (`schemas/page/[page].astro`). */
  | (OfVersion & { kind: 'schemas'; page: number })
  /** `…/schemas/<name>/` (`schemas/[schema].astro`). */
  | (OfVersion & { kind: 'schema'; schema: string })
  /** `…/webhooks/<webhook>/` (`webhooks/[webhook].astro`). */
  | (OfVersion & { kind: 'webhook'; webhook: Webhook })
  /** `…/openapi.json` and `…/openapi.yaml`, the spec downloads (`openapi.json.ts`, `openapi.yaml.ts`). */
  | (OfVersion & { kind: 'openapi-json' })
  | (OfVersion & { kind: 'openapi-yaml' })
  /** `…/try/`, Scalar (`try.astro`), and `…/swagger/`, Swagger UI (`swagger.astro`). */
  | (OfVersion & { kind: 'try' })
  | (OfVersion & { kind: 'swagger' });

export type ApiRouteKind = ApiRoute['kind'];
export type ApiRouteOf<K extends ApiRouteKind> = Extract<ApiRoute, { kind: K }>;

/** The kinds that are files rather than HTML pages. */
const FILE_KINDS: ReadonlySet<ApiRouteKind> = new Set(['operation-markdown', 'openapi-json', 'openapi-yaml']);

/** Every route of these APIs, versions in the order the API lists them. */
export function apiRoutes(apis: DocsApi[]): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const api of apis) {
    const newest = api.versions[0];
    if (newest) routes.push({ kind: 'api', api, version: newest });
    for (const version of api.versions) {
      const v = { api, version };
      routes.push({ kind: 'version', ...v });
      for (const operation of version.operations) routes.push({ kind: 'operation', ...v, operation }, { kind: 'operation-markdown', ...v, operation });
      if (hasTagPages(version))
        for (const group of tagGroupsOf(version)) for (let page = 1; page <= pageCountOf(group.operations.length, LIST_PAGE_SIZE.operations); page++) routes.push({ kind: 'tag', ...v, group, page });
      for (let page = 1; page <= pageCountOf(version.version.schemaNames.length, LIST_PAGE_SIZE.schemas); page++) routes.push({ kind: 'schemas', ...v, page });
      for (const schema of version.version.schemaNames) routes.push({ kind: 'schema', ...v, schema });
      for (const webhook of version.version.webhooks) routes.push({ kind: 'webhook', ...v, webhook });
      // The downloads and the consoles need a document; a version without one has none.
      if (version.version.spec) routes.push({ kind: 'openapi-json', ...v }, { kind: 'openapi-yaml', ...v }, { kind: 'try', ...v }, { kind: 'swagger', ...v });
    }
  }
  return routes;
}

/** The Astro params of a route (the folders of src/pages/apis/). */
export function routeParams(route: ApiRoute): Record<string, string> {
  const { api, version } = route;
  switch (route.kind) {
    case 'api':
      return { api: api.slug };
    case 'operation':
    case 'operation-markdown':
      return { api: api.slug, version: version.slug, operation: version.operationSlugs.get(route.operation)! };
    case 'tag':
      return { api: api.slug, version: version.slug, tag: route.group.slug, ...pageParam(route.page) };
    case 'schemas':
      return { api: api.slug, version: version.slug, ...pageParam(route.page) };
    case 'schema':
      return { api: api.slug, version: version.slug, schema: route.schema };
    case 'webhook':
      return { api: api.slug, version: version.slug, webhook: webhookSlugs(version).get(route.webhook)! };
    default:
      return { api: api.slug, version: version.slug };
  }
}

/** The `page` param of a list's page n > 1; the first page has none. */
function pageParam(page: number): { page?: string } {
  return page > 1 ? { page: String(page) } : {};
}

/** The path segments of a route's address, as written before URL encoding. */
export function routeSegments(route: ApiRoute): string[] {
  const p = routeParams(route);
  const base = ['apis', p.api!];
  if (route.kind === 'api') return base;
  const version = [...base, p.version!];
  switch (route.kind) {
    case 'version':
      return version;
    case 'operation':
      return [...version, 'operations', p.operation!];
    case 'operation-markdown':
      return [...version, 'operations', p.operation!, 'index.md'];
    case 'tag':
      return [...version, 'tags', p.tag!, ...(p.page ? ['page', p.page] : [])];
    case 'schemas':
      return [...version, 'schemas', ...(p.page ? ['page', p.page] : [])];
    case 'schema':
      return [...version, 'schemas', p.schema!];
    case 'webhook':
      return [...version, 'webhooks', p.webhook!];
    case 'openapi-json':
      return [...version, 'openapi.json'];
    case 'openapi-yaml':
      return [...version, 'openapi.yaml'];
    case 'try':
      return [...version, 'try'];
    case 'swagger':
      return [...version, 'swagger'];
  }
}

/** A route's address: pages end in a slash, files do not (`…/openapi.json`). */
export function routeHref(route: ApiRoute): string {
  const path = `/${routeSegments(route).map(encodeURIComponent).join('/')}`;
  return isFileRoute(route) ? path : `${path}/`;
}

/** Whether a route is a file (a spec download, a Markdown twin) rather than an HTML page. */
export function isFileRoute(route: ApiRoute): boolean {
  return FILE_KINDS.has(route.kind);
}

/** getStaticPaths of the static page of one kind (those of its routes `where` accepts): its params, and the route as its props. */
export function staticPathsOf<K extends ApiRouteKind>(
  apis: DocsApi[],
  kind: K,
  where: (route: ApiRouteOf<K>) => boolean = () => true,
): Array<{ params: Record<string, string>; props: { route: ApiRouteOf<K> } }> {
  return apiRoutes(apis)
    .filter((r): r is ApiRouteOf<K> => r.kind === kind && where(r as ApiRouteOf<K>))
    .map((route) => ({ params: routeParams(route), props: { route } }));
}

const tables = new WeakMap<DocsSite, Map<string, ApiRoute>>();

/** A key for an address: its decoded segments, so `Foo%20Bar` and `Foo Bar` are one address; a trailing slash is optional. */
function addressKey(segments: string[]): string {
  return segments.join('\u0000');
}

/** The route of a site at this path (as requested, URL-encoded), or undefined when the site has no such page. */
export function findRoute(site: DocsSite, pathname: string): ApiRoute | undefined {
  let table = tables.get(site);
  if (!table) {
    table = new Map(apiRoutes(site.apis).map((r) => [addressKey(routeSegments(r)), r]));
    tables.set(site, table);
  }
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // a malformed escape is no page's address
  }
  const route = table.get(addressKey(segments));
  // Pages answer with their trailing slash (and without it), files only without.
  return route && (!isFileRoute(route) || !pathname.endsWith('/')) ? route : undefined;
}

/** The body and type of a file route. */
export function routeFile(route: ApiRoute): { body: string; contentType: string } | undefined {
  switch (route.kind) {
    case 'openapi-json':
      return { body: specToJson(route.version), contentType: 'application/json' };
    case 'openapi-yaml':
      return { body: specToYaml(route.version), contentType: 'application/yaml' };
    case 'operation-markdown':
      return { body: operationToMarkdown(route.api, route.version, route.operation), contentType: 'text/markdown; charset=utf-8' };
    default:
      return undefined;
  }
}

const backlinks = new WeakMap<DocsVersion, Map<string, Operation[]>>();

/** Operations using each schema of a version, computed on first use (a schema page lists them). */
export function backlinksOf(version: DocsVersion): Map<string, Operation[]> {
  let map = backlinks.get(version);
  if (!map) {
    map = schemaBacklinks(version.version.spec?.document ?? {}, version.operations);
    backlinks.set(version, map);
  }
  return map;
}
