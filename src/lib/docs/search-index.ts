import path from 'node:path';
import * as pagefind from 'pagefind';

/**
 * Indexes the built static pages with Pagefind and writes `pagefind/` beside them, so search works
 * on the static output with no server. Only `data-pagefind-body` regions are indexed.
 */
export async function indexSite(clientDir: string): Promise<{ pages: number }> {
  // Default word splitting: "GET /shipments/{shipmentId}/events" becomes words that every
  // operation page's weighted method-and-path heading contains, so it ranks first.
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  if (!index) throw new Error(`pagefind could not start: ${errors.join('; ')}`);
  try {
    const added = await index.addDirectory({ path: clientDir });
    if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
    const written = await index.writeFiles({ outputPath: path.join(clientDir, 'pagefind') });
    if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
    return { pages: added.page_count };
  } finally {
    await pagefind.close();
  }
}
