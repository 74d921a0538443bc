import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the portals of one test run keep the demo sites they share (tests/support/portal.ts). */
    porticoSharedSites: { dir: string; gatewayPortBase: number };
  }
}

/**
 * Vitest's global setup: one folder for the run's shared demo builds, removed at the end, and a
 * block of gateway ports for it. Ports are below Linux's ephemeral range (32768 and up), so no
 * outgoing connection takes one between two files; the block is picked at random, so two test
 * runs on one machine seldom meet, and a port found busy is never used (see portal.ts).
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-shared-sites-'));
  project.provide('porticoSharedSites', { dir, gatewayPortBase: 24_000 + 64 * Math.floor(Math.random() * 120) });
  return () => rmSync(dir, { recursive: true, force: true });
}
