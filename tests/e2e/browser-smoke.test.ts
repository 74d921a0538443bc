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

describe('the catalog page in Chromium', () => {
  it('shows the public APIs with no console errors', async () => {
    const page = await browser.newPage();
    const response = await page.goto(portal.base);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Kestrel Developer Portal');
    expect(await page.locator('h2').allTextContents()).toEqual(['Kestrel Invoices', 'Legacy billing', 'Shipments', 'Tracking', 'Warehouses']);
    expect(browser.errors).toEqual([]);
  });
});
