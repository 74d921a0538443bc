import { afterEach } from 'vitest';

/**
 * Fails a test whose pages logged a console error or threw, unless the test took the error out of
 * `browser.errors` as one it expected (see tests/support/browser.ts). Runs after every test of
 * every file (setupFiles in tests/vitest.config.ts); files without a browser have nothing to check.
 */
afterEach(() => {
  const book = (globalThis as unknown as Record<symbol, { live: Set<string[]>; left: string[] } | undefined>)[Symbol.for('portico.test.browserErrors')];
  if (!book) return;
  const errors = [...book.left.splice(0), ...[...book.live].flatMap((list) => list.splice(0))];
  if (errors.length > 0) throw new Error(`the browser reported ${errors.length === 1 ? 'an error' : `${errors.length} errors`} this test did not expect:\n${errors.join('\n')}`);
});
