import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; the project never downloads a browser of its own. */
export const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** Opens a page that records console errors, uncaught exceptions and unexpected dialogs, and accepts confirm(). */
  newPage(): Promise<Page>;
  /**
   * Console errors and page errors seen so far, on any page. After each test, what is left here
   * fails that test (tests/support/browser-errors.ts): a test that expects an error (a deliberate
   * 401, say) asserts it and takes it out.
   */
  errors: string[];
  close(): Promise<void>;
}

/**
 * The error lists of the browsers of this test file, and what closed browsers left in theirs. On
 * globalThis, so the check after each test reads them without loading playwright into every file.
 */
const BROWSER_ERRORS = Symbol.for('portico.test.browserErrors');
type ErrorBook = { live: Set<string[]>; left: string[] };
function errorBook(): ErrorBook {
  const g = globalThis as unknown as Record<symbol, ErrorBook | undefined>;
  return (g[BROWSER_ERRORS] ??= { live: new Set(), left: [] });
}

/**
 * Launches headless Chromium with a fresh profile, with the flags this machine needs
 * (no sandbox as root, no GPU, no background network traffic to hosts that are not reachable).
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'portico-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught exception on ${page.url()}: ${err.message}`));
    // A confirm() is a person saying yes; an alert() or prompt() would be injected script: recorded
    // as an error (which fails the test), never accepted.
    page.on('dialog', (dialog) => {
      if (dialog.type() === 'confirm') return void dialog.accept().catch(() => undefined);
      errors.push(`unexpected ${dialog.type()} dialog on ${page.url()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const book = errorBook();
  book.live.add(errors);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      book.live.delete(errors);
      book.left.push(...errors.splice(0));
    },
  };
}
