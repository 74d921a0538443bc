import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * Where the portals of one test run keep the demo sites they share (tests/support/portal.ts),
     * and the empty PGlite cluster their databases start from (tests/support/pglite-seed.ts).
     */
    porticoSharedSites: { dir: string; gatewayPortBase: number; pgliteSeed: string };
  }
}

/**
 * Vitest's global setup: one folder for the run's shared demo builds, removed at the end, and a
 * block of gateway ports for it. Ports are below Linux's ephemeral range (32768 and up), so no
 * outgoing connection takes one between two files; the block is picked at random, so two test
 * runs on one machine seldom meet, and a port found busy is never used (see portal.ts).
 *
 * It also makes the run's one empty PGlite cluster: PGlite runs initdb each time it opens an empty
 * folder, several seconds of CPU (8 to 12 s beside two busy processes here, against 1.5 to 2 s to
 * open a cluster that exists), and a run opens about a hundred fresh databases.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-shared-sites-'));
  const pgliteSeed = path.join(dir, 'pglite-seed');
  // Owner-only, like a portal's own data directory (its copies keep these modes).
  const umask = process.umask(0o077);
  try {
    const cluster = new PGlite(pgliteSeed);
    await cluster.waitReady;
    await cluster.close();
  } finally {
    process.umask(umask);
  }
  project.provide('porticoSharedSites', { dir, gatewayPortBase: 24_000 + 64 * Math.floor(Math.random() * 120), pgliteSeed });
  return () => rmSync(dir, { recursive: true, force: true });
}
