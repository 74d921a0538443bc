import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
}, 160_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** Serious and critical axe-core violations on the page, as `rule: target` lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol: the page's Content-Security-Policy rightly refuses an injected inline script.
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () =>
    (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(),
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe('the docs site in Chromium', () => {
  it('opens the catalog and filters it by bundle', async () => {
    const page = await browser.newPage();
    await page.goto(portal.base);
    expect(await page.locator('h1').textContent()).toBe('Kestrel Developer Portal');
    expect(await page.locator('.card h2').allTextContents()).toEqual(['Kestrel Invoices', 'Legacy billing', 'Shipments', 'Tracking', 'Warehouses']);
    await page.getByRole('link', { name: 'Parcel essentials' }).click();
    await page.waitForURL('**/catalog/bundle/parcel-essentials/');
    expect(await page.locator('.card h2').allTextContents()).toEqual(['Shipments', 'Tracking']);
    expect(browser.errors).toEqual([]);
  });

  it('opens an API page with servers, authentication in words, plan limits and spec downloads', async () => {
    const page = await browser.newPage();
    await page.goto(portal.base);
    await page.getByRole('link', { name: 'Open the Shipments reference →' }).click();
    await page.waitForURL('**/apis/shipments/');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Servers');
    expect(text).toContain('API key: send your key in the header X-API-Key.');
    expect(text).toContain('100 requests per 10 seconds, 100,000 requests per 30 days');
    for (const ext of ['yaml', 'json']) {
      const href = await page.getByRole('link', { name: `Download OpenAPI (${ext.toUpperCase()})` }).getAttribute('href');
      const response = await fetch(new URL(href!, portal.base));
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(ext === 'json' ? /^\{\s+"openapi": "3\.1/ : /^openapi: 3\.1/);
    }
    expect(browser.errors).toEqual([]);
  });

  it('lays out only the operation groups on screen, and a tag link still lands on its group', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1000, height: 500 });
    await page.goto(`${portal.base}/apis/shipments/`);
    const groups = page.locator('main .tag-group');
    const count = await groups.count();
    expect(count).toBeGreaterThan(1);
    // Rendered: a group on screen; skipped until scrolled to: the last one, far below the fold.
    const rendered = () => groups.evaluateAll((els) => els.map((el) => el.querySelector('li')!.checkVisibility({ contentVisibilityAuto: true })));
    const before = await rendered();
    expect(before.at(-1)).toBe(false);
    const last = groups.last();
    const id = await last.locator('h3').getAttribute('id');
    await page.locator(`.sidebar a[href$="#${id}"]`).click();
    await page.waitForURL(`**#${id}`);
    await expect.poll(async () => (await rendered()).at(-1)).toBe(true);
    const box = await last.locator('h3').boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(500);
    expect(await last.locator('li').first().innerText()).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \//);
    expect(browser.errors).toEqual([]);
  });

  it('opens an operation page and switches to the same operation in the deprecated version', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}/apis/shipments/shipments-v2/`);
    await page
      .locator('main')
      .getByRole('link', { name: /GET \/shipments\/\{shipmentId\}$/ })
      .first()
      .click();
    await page.waitForURL('**/shipments-v2/operations/getShipment/');
    expect(await page.locator('h1').textContent()).toBe('Get a shipment');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Path parameters');
    expect(main).toContain('Responses');
    expect(main).toContain('curl -X GET');
    // Initial JavaScript of an operation page: inline scripts, and two small files, the search
    // dialog's launcher (the dialog itself loads on first use) and the Try it panel's loader.
    expect(await page.locator('script[src]').evaluateAll((scripts) => scripts.map((s) => new URL((s as HTMLScriptElement).src).pathname.replace(/\.[\w-]+\.js$/, '.js')))).toEqual([
      '/_astro/SearchLauncher.astro_astro_type_script_index_0_lang.js',
      '/_astro/TryIt.astro_astro_type_script_index_0_lang.js',
    ]);
    await page
      .getByRole('navigation', { name: 'Versions' })
      .getByRole('link', { name: /shipments-v1/ })
      .click();
    await page.waitForURL('**/shipments-v1/**');
    expect(await page.locator('.banner').first().textContent()).toContain('deprecated');
    expect(browser.errors).toEqual([]);
  });

  it('finds an operation by method and path with the static search index', async () => {
    const page = await browser.newPage();
    await page.goto(portal.base);
    await page.getByRole('searchbox', { name: 'Search the docs' }).fill('GET /shipments/{shipmentId}/events');
    await page.getByRole('searchbox', { name: 'Search the docs' }).press('Enter');
    await page.waitForURL('**/search/?q=*');
    const first = page.locator('#search-results li a').first();
    await first.waitFor();
    expect(await page.locator('#search-results a').evaluateAll((links) => links.slice(0, 3).map((a) => (a as HTMLAnchorElement).pathname))).toContain(
      '/apis/shipments/shipments-v2/operations/listShipmentEvents/',
    );
    expect(browser.errors).toEqual([]);
  });

  it('toggles dark mode and keeps it on the next page', async () => {
    const page = await browser.newPage();
    await page.goto(portal.base);
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.getByRole('button', { name: 'Dark mode' }).click();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).toBe(before === 'dark' ? 'light' : 'dark');
    await page.goto(`${portal.base}/plans/`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(after);
    if (after === 'dark') await page.getByRole('button', { name: 'Dark mode' }).click();
    expect(browser.errors).toEqual([]);
  });

  it('opens the Scalar view on demand', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}/apis/tracking/`);
    await page.getByRole('link', { name: 'Try it in Scalar' }).click();
    await page.waitForURL('**/tracking/try/');
    await page.locator('#scalar-view').getByText('Tracking').first().waitFor({ timeout: 30_000 });
    expect(browser.errors).toEqual([]);
  });

  it('opens the Swagger UI view on demand', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}/apis/tracking/`);
    await page.getByRole('link', { name: 'Open in Swagger UI' }).click();
    await page.waitForURL('**/tracking/swagger/');
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 30_000 });
    expect(browser.errors).toEqual([]);
  });

  it('has no serious or critical accessibility violations on the main page types', async () => {
    const page = await browser.newPage();
    const pages = [
      '/',
      '/apis/shipments/',
      '/apis/shipments/shipments-v2/operations/createShipment/',
      '/apis/shipments/shipments-v2/schemas/Item/',
      '/plans/',
      '/guides/getting-started/',
      '/search/?q=parcel',
    ];
    const found: string[] = [];
    for (const theme of ['light', 'dark']) {
      await page.goto(portal.base);
      await page.evaluate((t) => localStorage.setItem('portico-theme', t), theme);
      for (const p of pages) {
        await page.goto(`${portal.base}${p}`);
        found.push(...(await seriousViolations(page)).map((v) => `${theme} ${p} ${v}`));
      }
    }
    expect(found).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});

describe('the static output', () => {
  it('contains no group-restricted API anywhere, search index included', () => {
    const client = path.join(portal.dataDir, 'site/client');
    const texts = filesBelow(client).map((f) => {
      const bytes = readFileSync(f);
      // Pagefind's index files are gzip-compressed: look inside them too.
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('latin1') : bytes.toString('latin1');
    });
    // A public guide may name a restricted API in prose; its pages, spec, operations and schemas must not appear.
    for (const secret of ['Kestrel Partner Rates API', 'partner-rates', 'getRateCard', 'SpotQuoteRequest', 'plan-partner-unlimited', 'Fleet Telemetry', 'fleet-telemetry', 'getVehicleTelemetry']) {
      expect(texts.filter((t) => t.includes(secret)).length, secret).toBe(0);
    }
  });
});
