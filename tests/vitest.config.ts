import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/**/*.test.ts'],
    // A console error or an uncaught exception in a page fails the test that caused it.
    setupFiles: ['tests/support/browser-errors.ts'],
    // Portals of the demo content share one build per worker (tests/support/portal.ts).
    globalSetup: ['tests/support/shared-sites.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that start servers or processes clean up after themselves; run files in parallel forks.
    pool: 'forks',
    // Two files at a time even on 2 cores (Vitest's default there is one): most of a page, Git or
    // gateway test is spent waiting on a browser, a portal or a child process, and every test waits
    // for conditions, not for time, so it holds beside another file (issue 16: CI under 20 minutes).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
