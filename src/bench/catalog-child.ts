// One catalog load in a fresh process, so wall time and peak memory are the load's own.
import { loadCatalog } from '../lib/catalog/load.ts';

const [root, cacheDir] = process.argv.slice(2);
const started = performance.now();
const catalog = await loadCatalog(root!, { cacheDir: cacheDir || undefined, offline: true });
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    operations: catalog.stats.operations,
    specs: catalog.stats.specs,
    specsFromCache: catalog.stats.specsFromCache,
    errors: catalog.diagnostics.filter((d) => d.severity === 'error').length,
  }),
);
