// One site build in a fresh process, so wall time and peak memory are the build's own.
import { build } from 'astro';

const [projectRoot, outDir, cacheDir] = process.argv.slice(2);
process.env.ASTRO_TELEMETRY_DISABLED = '1';
const started = performance.now();
await build({ root: projectRoot!, outDir: outDir!, cacheDir: cacheDir!, logLevel: 'error' });
process.stdout.write(`\n${JSON.stringify({ ms: performance.now() - started, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
