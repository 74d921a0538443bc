import { formatDocPath } from './diagnostics.ts';
import type { Catalog, CatalogKey, FailedApi } from './model.ts';

/**
 * The catalog the site and the server publish: every API that loads, and nothing that points at one
 * that failed (DESIGN.md section 3: one broken API never hides the others). The failed ones stay in
 * `failedApis`, with their reasons, for the build output and the admin area.
 */
export function publishedCatalog(catalog: Catalog): Catalog {
  if (catalog.failedApis.length === 0) return catalog;
  const failed = new Set(catalog.failedApis.map((f) => f.key));
  const keep = (keys: CatalogKey[]): CatalogKey[] => keys.filter((k) => !failed.has(k));
  return {
    ...catalog,
    apis: catalog.apis.filter((a) => !failed.has(a.key)),
    items: catalog.items.map((i) => ({ ...i, apis: keep(i.apis) })),
    bundles: catalog.bundles.map((b) => ({ ...b, apis: keep(b.apis) })),
    subscriptions: catalog.subscriptions.map((s) => ({ ...s, apis: keep(s.apis) })),
    // A guide that belongs to a left-out API would link to a page that is not there.
    guides: catalog.guides.filter((g) => !(g.parent?.kind === 'API' && failed.has(g.parent.key))),
  };
}

/** Says, one API a block, which APIs the site leaves out and why, with file:line for each reason. */
export function describeFailedApis(failedApis: FailedApi[], published: number): string[] {
  if (failedApis.length === 0) return [];
  const total = failedApis.length + published;
  const lines = [
    `${failedApis.length} of ${total} APIs ${failedApis.length === 1 ? 'is' : 'are'} left out of the site, because of errors of their own; the other ${published} ${published === 1 ? 'is' : 'are'} published:`,
  ];
  for (const f of failedApis) {
    lines.push(`  ${f.id.kind} ${f.key} (${f.source.file}:${f.source.line}):`);
    for (const d of f.reasons) lines.push(`    ${d.file}:${d.line}:${d.column} ${d.message}${d.path ? ` (${formatDocPath(d.path)})` : ''}`);
  }
  return lines;
}
