import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ PORTICO_CONTENT_DIR: path.join(projectRoot, 'tests/fixtures/docs-hostile') }), launchBrowser()]);
}, 160_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe('a spec and a guide with hostile Markdown', () => {
  it('render inert on every page type: no script runs, no handler, no javascript: link', async () => {
    const page = await browser.newPage();
    // The fixture's images point at files that do not exist: that 404 is expected, not an error of the page.
    for (const missing of ['**/nothing.png', '**/schemas/Item/x']) await page.route(missing, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.alloc(0) }));
    for (const p of ['/apis/payloads/', '/apis/payloads/payloads/operations/getItem/', '/apis/payloads/payloads/schemas/Item/', '/guides/hostile-guide/']) {
      await page.goto(`${portal.base}${p}`);
      const main = page.locator('main');
      await main.hover();
      // Opening every details element fires toggle events, in case an ontoggle= slipped through.
      await page.evaluate(() => document.querySelectorAll('main details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
      await page.waitForTimeout(50);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), p).toBeUndefined();
      // The portal's own Try it panel (its loader script and its form) and the code panel's script are the exceptions.
      expect(
        await main
          .locator(':is(script, iframe, svg, object, embed, form, style):not(details.try-it *, script[src^="/_astro/TryIt.astro_astro_type_script"], script[data-portico="code-panel"])')
          .count(),
        p,
      ).toBe(0);
      const handlers = await main.locator('*').evaluateAll((els) => els.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)));
      expect(handlers, p).toEqual([]);
      expect(await main.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')!).filter((h) => /^\s*(javascript|vbscript|data):/i.test(h))), p).toEqual([]);
    }
    expect(await page.locator('main').innerText()).toContain('Hello');
    expect(browser.errors).toEqual([]);
  });

  it('keeps the group-only API of the same namespace out of the static output', () => {
    const texts = filesBelow(path.join(portal.dataDir, 'site/client')).map((f) => {
      const bytes = readFileSync(f);
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('latin1') : bytes.toString('latin1');
    });
    for (const secret of ['Secret Insider Payloads', 'insider-only-path', 'insiderOnlyOperation', 'secret-payloads']) {
      expect(texts.filter((t) => t.includes(secret)).length, secret).toBe(0);
    }
  });
});
