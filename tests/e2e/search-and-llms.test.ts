import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// Issue 15: search that finds operations (an instant dialog on every page, and /search/), and
// /llms.txt with a Markdown twin of each public operation page.
let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
}, 160_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const OPERATION_PAGE = '/apis/tracking/';
/** What each query must rank first: the operation's page, and the labels its result carries. */
const EXPECTED: Array<{ query: string; url: string; labels: string[] }> = [
  { query: 'GET /shipments', url: '/apis/shipments/shipments-v2/operations/listShipments/', labels: ['Shipments', 'shipments-v2', 'GET /shipments'] },
  { query: 'listShipments', url: '/apis/shipments/shipments-v2/operations/listShipments/', labels: ['Shipments', 'shipments-v2', 'GET /shipments'] },
  { query: '/shipments/{id}', url: '/apis/shipments/shipments-v2/operations/getShipment/', labels: ['Shipments', 'shipments-v2', 'GET /shipments/{shipmentId}'] },
];

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Search' });

/** Types a query into the open dialog and waits until its first option is the one the query names. */
async function firstOption(page: Page, query: string): Promise<{ url: string; text: string; count: number }> {
  const box = dialog(page).getByRole('combobox', { name: 'Search the docs' });
  await box.fill(query);
  const first = dialog(page).getByRole('option').first();
  // The list is replaced once the indexes answer for this exact text.
  await page.waitForFunction((q) => document.getElementById('search-dialog-results')?.dataset.query === q, query);
  return { url: (await first.getAttribute('data-url'))!, text: (await first.textContent())!, count: await dialog(page).getByRole('option').count() };
}

describe('the instant search dialog', () => {
  it('opens with "/", loads its code only then, ranks each operation query first with API, version and method, and closes on Escape', async () => {
    const page = await browser.newPage();
    const loaded: string[] = [];
    page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
    await page.goto(`${portal.base}/apis/shipments/shipments-v2/operations/createShipment/`);
    await page.waitForLoadState('networkidle');
    expect(loaded.filter((p) => /dialog|pagefind|search-index/.test(p))).toEqual([]);

    const link = page.locator('main a[href]').first();
    await link.focus(); // focus on a link of the page, not in a field
    const focused = await link.getAttribute('href');
    await page.keyboard.press('/');
    await dialog(page).waitFor();
    expect(await dialog(page).getAttribute('aria-modal')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-dialog-q');
    expect(loaded.some((p) => /\/_astro\/dialog\.[^/]+\.js$/.test(p))).toBe(true);

    for (const { query, url, labels } of EXPECTED) {
      const first = await firstOption(page, query);
      expect(first.url, query).toBe(url);
      for (const label of labels) expect(first.text, query).toContain(label);
    }

    // Arrow keys move the choice; the combobox points at it.
    await firstOption(page, 'GET /shipments');
    await page.keyboard.press('ArrowDown');
    const second = dialog(page).getByRole('option').nth(1);
    expect(await second.getAttribute('aria-selected')).toBe('true');
    expect(await dialog(page).getByRole('combobox').getAttribute('aria-activedescendant')).toBe(await second.getAttribute('id'));
    await page.keyboard.press('ArrowUp');
    expect(await dialog(page).getByRole('option').first().getAttribute('aria-selected')).toBe('true');

    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(focused); // focus back where it was
    expect(browser.errors).toEqual([]);
  });

  it('opens with Ctrl+K and ⌘K, and Enter goes to the chosen operation', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}${OPERATION_PAGE}`);
    await page.keyboard.press('Control+k');
    await dialog(page).waitFor();
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    await page.keyboard.press('Meta+k');
    await dialog(page).waitFor();
    expect((await firstOption(page, '/shipments/{id}')).url).toBe('/apis/shipments/shipments-v2/operations/getShipment/');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/operations/getShipment/');
    expect(await page.locator('main h1').first().textContent()).toBe('Get a shipment');
    expect(browser.errors).toEqual([]);
  });

  it('opens on a click on the header search box, and "/" typed in a field stays a character', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}/plans/`);
    const header = page.getByRole('searchbox', { name: 'Search the docs' });
    await header.focus();
    await page.keyboard.type('a/b');
    expect(await header.inputValue()).toBe('a/b');
    expect(await dialog(page).isVisible()).toBe(false);
    await header.fill('');
    await header.click();
    await dialog(page).waitFor();
    expect((await firstOption(page, 'listShipments')).url).toBe('/apis/shipments/shipments-v2/operations/listShipments/');
    await dialog(page).getByRole('button', { name: 'Close search' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search-q');
    // The header's Search button opens it too, with what the box holds.
    await header.fill('GET /shipments');
    await page.getByRole('search').getByRole('button', { name: 'Search', exact: true }).click();
    await dialog(page).waitFor();
    await page.waitForFunction(() => document.getElementById('search-dialog-results')?.dataset.query === 'GET /shipments');
    expect(await dialog(page).getByRole('option').first().getAttribute('data-url')).toBe('/apis/shipments/shipments-v2/operations/listShipments/');
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    expect(browser.errors).toEqual([]);
  });
});

describe('the search page', () => {
  it("lets Pagefind's worker fetch its index: script files carry a policy that allows same-origin fetches", async () => {
    const worker = await fetch(`${portal.base}/pagefind/pagefind-worker.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(worker.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });

  it('ranks each operation query first, with API, version and method, and snippets from the description', async () => {
    const page = await browser.newPage();
    for (const { query, url, labels } of EXPECTED) {
      await page.goto(`${portal.base}/search/?q=${encodeURIComponent(query)}`);
      const first = page.locator('#search-results li').first();
      await first.waitFor();
      expect(await first.locator('a').evaluate((a) => (a as HTMLAnchorElement).pathname), query).toBe(url);
      const text = await first.textContent();
      for (const label of labels) expect(text, query).toContain(label);
    }
    // Full-text results: excerpts come from the operation's words, never from the page's chrome.
    await page.goto(`${portal.base}/search/?q=${encodeURIComponent('cursor')}`);
    await page.locator('#search-results li').first().waitFor();
    const excerpts = await page.locator('#search-results li p').allTextContents();
    expect(excerpts.length).toBeGreaterThan(0);
    for (const e of excerpts) expect(e).not.toMatch(/Loading the console|Try it|Code samples|\$API_KEY/);
    expect(browser.errors).toEqual([]);
  });

  it('styles its search box like the header one', async () => {
    const page = await browser.newPage();
    await page.goto(`${portal.base}/search/?q=parcel`);
    const style = (selector: string) =>
      page.locator(selector).evaluate((el) => {
        const s = getComputedStyle(el);
        return { border: s.border, radius: s.borderRadius, padding: s.padding, background: s.backgroundColor, color: s.color };
      });
    expect(await style('#search-q')).toEqual(await style('#site-search-q'));
    expect(browser.errors).toEqual([]);
  });
});

describe('/llms.txt and the Markdown twins', () => {
  it('lists every public API version and operation, linked to twins that exist, and no group-only API', async () => {
    const answer = await fetch(`${portal.base}/llms.txt`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const txt = await answer.text();
    expect(txt).toMatch(/^# Kestrel Developer Portal\n\n> \S/);
    const links = [...txt.matchAll(/\]\((\/apis\/[^)]+\/index\.md)\)/g)].map((m) => m[1]!);
    // Every operation of every public API (the catalog items that show an API to everyone).
    const catalog = await loadCatalog(path.resolve(import.meta.dirname, '../../content'), { offline: true });
    const publicItems = catalog.items.filter((i) => i.visibility.everyone);
    const publicApis = catalog.apis.filter((a) => publicItems.some((i) => i.apis.includes(a.key)));
    const privateApis = catalog.apis.filter((a) => !publicApis.includes(a));
    expect(privateApis.length).toBeGreaterThan(0);
    for (const api of publicApis) expect(txt, api.title).toContain(`## ${api.title}, version`);
    for (const opId of ['listShipments', 'getShipment', 'listShipmentsV1', 'listInvoices', 'getDispute'])
      expect(
        links.some((l) => l.includes(`/operations/${opId}/`)),
        opId,
      ).toBe(true);
    for (const api of privateApis) {
      expect(txt).not.toContain(api.title);
      for (const op of api.versions.flatMap((v) => v.operations)) expect(txt).not.toContain(op.operationId);
    }
    // Each link is served.
    const statuses = await Promise.all(links.map(async (l) => (await fetch(`${portal.base}${l}`)).status));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('serves an operation twin as text/markdown with the security headers, holding its method, path and parameters', async () => {
    const page = `/apis/shipments/shipments-v2/operations/listShipments/`;
    const html = await (await fetch(`${portal.base}${page}`)).text();
    expect(html).toContain(`<link rel="alternate" type="text/markdown" href="${page}index.md"`);
    const answer = await fetch(`${portal.base}${page}index.md`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    const md = await answer.text();
    expect(md).toMatch(/^# List shipments\n\n```http\nGET \/shipments\n```/);
    expect(md).toMatch(/## Parameters\n\n\| Name \| In \| Type \| Required \| Description \|/);
    expect(md).toMatch(/\| `cursor` \| query \| string \|/);
    expect(md).toMatch(/## Responses\n[\s\S]*\| `200` \|/);
    expect(md).toMatch(/```sh\ncurl -X GET /);
    // A group-only API has no twin for anyone signed out.
    expect((await fetch(`${portal.base}/apis/partner-rates/`)).status).toBe(404);
  });
});
