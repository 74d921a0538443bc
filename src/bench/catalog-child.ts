// One catalog load in a fresh process, so wall time and peak memory are the load's own.
import { loadCatalog } from '../lib/catalog/load.ts';

const [root, cacheDir] = process.argv.slice(2);
const started = performance.now();
const catalog = await loadCatalog(root!, { cacheDir: cacheDir || undefined, offline: true });
const ms = performance.now() - started;
const errors = catalog.diagnostics.filter((d) => d.severity === 'error');
process.stdout.write(
  JSON.stringify({
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    operations: catalog.stats.operations,
    specs: catalog.stats.specs,
    specsFromCache: catalog.stats.specsFromCache,
    errors: errors.length,
    // The directory benchmark swaps out specs the catalog rejects; it needs to know which, and why.
    errorFiles: [...new Set(errors.map((d) => d.file))],
    firstErrors: errors.slice(0, 50).map((d) => `${d.file}:${d.line}: ${d.message}`),
  }),
);
