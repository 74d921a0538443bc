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
  },
});
