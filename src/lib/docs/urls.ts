import type { CatalogApi } from '../catalog/model.ts';

/** A URL path segment from any name: lower-case letters, digits and dashes. */
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}

/**
 * The URL slug of each API: its name, or `namespace-name` when two namespaces share a name,
 * so that URLs stay short in the usual case and unique in every case.
 */
export function apiSlugs(apis: CatalogApi[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const a of apis) count.set(a.id.name, (count.get(a.id.name) ?? 0) + 1);
  return new Map(apis.map((a) => [a.key, slugify(count.get(a.id.name)! > 1 ? `${a.id.namespace}-${a.id.name}` : a.id.name)]));
}

/** Where the pages of one API version live. */
export function versionHref(apiSlug: string, versionName: string): string {
  return `/apis/${apiSlug}/${slugify(versionName)}/`;
}

/** Where an operation's page lives. */
export function operationHref(apiSlug: string, versionName: string, operationId: string): string {
  return `${versionHref(apiSlug, versionName)}operations/${operationSlug(operationId)}/`;
}

/** Where a component schema's page lives. */
export function schemaHref(apiSlug: string, versionName: string, schemaName: string): string {
  return `${versionHref(apiSlug, versionName)}schemas/${encodeURIComponent(schemaName)}/`;
}

/** An operationId as a URL segment; operationIds may contain '/' (GitHub: `repos/get`). */
export function operationSlug(operationId: string): string {
  return operationId.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** The anchor of a tag's section on an API page. */
export function tagAnchor(tag: string): string {
  return `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/**
 * "METHOD /path" as separate words for the search index: Pagefind splits words on spaces only, so a
 * path would be one long word. The search page splits a query the same way.
 */
export function searchWords(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/[/{}]+/g, ' ').trim()}`;
}
