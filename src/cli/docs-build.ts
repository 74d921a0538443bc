import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexSite } from '../lib/docs/search-index.ts';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'astro-build-child.ts');

/** What the Astro build takes: Astro's own inline config, passed through to the child. */
export interface AstroBuildOptions {
  root: string;
  outDir: string;
  cacheDir: string;
  vite?: { cacheDir: string };
  logLevel: 'warn' | 'error';
}

/** What a docs build reports: the Astro build process's own peak memory, and the pages in the search index. */
export interface DocsBuildResult {
  buildPeakRssMb: number;
  indexedPages: number;
}

/**
 * Builds the docs in two steps, one after the other (issue 18): the Astro build in a child process,
 * then the search index of its static pages once that process has ended. Pagefind's indexer beside
 * a live build added its memory to the build's (3.75 GB together for Microsoft Graph beta); one
 * after the other, the peak is the larger of the two.
 */
export async function runDocsBuild(options: AstroBuildOptions): Promise<DocsBuildResult> {
  const started = Date.now();
  const buildPeakRssMb = await runAstroBuild(options);
  // Astro reads a relative outDir from the project root.
  const indexed = await indexSite(path.join(path.resolve(options.root, options.outDir), 'client'));
  // Printed, not logged: `portico start` builds with logLevel 'warn', and the README promises this summary.
  console.log(`portico: site built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${indexed.pages} pages indexed for search`);
  return { buildPeakRssMb, indexedPages: indexed.pages };
}

/**
 * V8 lets the heap grow to about four times what is live before a full collection when memory is
 * plentiful: Microsoft Graph beta's build keeps about 450 MB live while rendering, and its heap
 * reached 1.8 GB between collections, most of it pages already written (issue 18). Growing by half
 * instead collects more often, for a few seconds of a build, and holds the peak near what is live.
 * It is a growth factor, not a cap: a larger API still gets the memory it needs.
 */
const ASTRO_BUILD_HEAP = ['--heap-growing-percent=50'];

/** Runs `astro build` in a child process; resolves with its peak memory, rejects with the build's own error message. */
function runAstroBuild(options: AstroBuildOptions): Promise<number> {
  // Node strips the types itself where it can (the Node the project installs); else tsx does (decision 14).
  const loader = process.features.typescript ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...ASTRO_BUILD_HEAP, childScript, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env });
  let result: { peakRssMb?: number; error?: string } = {};
  child.on('message', (m) => (result = m as typeof result));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && result.peakRssMb !== undefined) resolve(result.peakRssMb);
      else reject(new Error(result.error ?? `the Astro build ended with ${signal ?? `exit code ${code}`}`));
    });
  });
}
