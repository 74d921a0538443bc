// One site build in a fresh process, as `portico build` runs it (the Astro build in a child, then the
// search index), so wall time and the process tree's peak memory are the build's own.
import { runDocsBuild } from '../cli/docs-build.ts';

const [projectRoot, outDir, cacheDir] = process.argv.slice(2);
process.env.ASTRO_TELEMETRY_DISABLED = '1';
const started = performance.now();
const { buildPeakRssMb } = await runDocsBuild({ root: projectRoot!, outDir: outDir!, cacheDir: cacheDir!, logLevel: 'error' });
// The Astro build process's own peak, reported by it (this process only waits, then indexes).
process.stdout.write(`\n${JSON.stringify({ ms: performance.now() - started, peakRssMb: buildPeakRssMb })}\n`);
