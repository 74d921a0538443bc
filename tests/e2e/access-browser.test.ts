import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpInBrowser } from '../support/mail.ts';

let portal: RunningPortal;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The Git writer and reconciler pass every second, so statuses move while the test watches.
  [portal, browser] = await Promise.all([startPortal({ PORTICO_GIT_INTERVAL: '1' }), launchBrowser()]);
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.base });
  page = await browser.newPage();
  await signUpInBrowser(page, portal.base, portal.dataDir, 'consumer@example.test', 'a long enough password');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** How long a step that waits on the portal (a key being made and encrypted, a page load) may take. */
const SOON = { timeout: 15_000 };

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** Serious and critical axe-core violations on the page, as `rule: target` lines. */
async function seriousViolations(p: Page): Promise<string[]> {
  // Through the DevTools protocol: the page's Content-Security-Policy rightly refuses an injected inline script.
  await p.evaluate(readFileSync(AXE, 'utf8'));
  const result = await p.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run());
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The status words in a subscription's or key's row, as a person reads them. */
const statusOf = (ref: string) =>
  page
    .locator(`[data-status-ref="${ref}"] .status`)
    .textContent({ timeout: 5000 })
    .catch(() => null);

/** The row of the subscription to this offer (by its heading cell: other rows name it in their change-plan choices). */
const subscriptionRow = (title: string) => page.locator('tr[data-row-ref^="sub:"]').filter({ has: page.locator('th', { hasText: title }) });

/** The offer's title, as the catalog API gives it to this account. */
async function offerTitle(offer: string): Promise<string> {
  const offers = await page.evaluate(async () => (await (await fetch('/api/v1/catalog')).json()).offers as Array<{ offer: string; title: string }>);
  return offers.find((o) => o.offer === offer)!.title;
}

async function createApplication(name: string, description = ''): Promise<string> {
  await page.goto(`${portal.base}/account/`);
  await page.getByLabel('Application name').fill(name);
  if (description) await page.getByLabel('Description (optional)').fill(description);
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(/\/account\/applications\/app-[^/]+\/$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[3]!);
}

describe('self-service access in Chromium', () => {
  let appId: string;
  let key: string;
  let keyId: string;

  it('creates an application and subscribes it to an offer shown with its plan in words', async () => {
    appId = await createApplication('Tracking widget', 'Shows parcels on our shop.');
    expect(await page.locator('h1').textContent()).toBe('Tracking widget');
    expect(await page.locator('.app-description').textContent()).toBe('Shows parcels on our shop.');
    const title = await offerTitle('logistics/public-starter');
    const card = page.locator('.offer-list .card', { has: page.getByRole('heading', { name: title, exact: true }) });
    expect(await card.innerText()).toContain('Starter: 10 requests per second, 1,000 requests per day');
    expect(await card.innerText()).toContain('Shipments, Tracking');
    await card.getByRole('button', { name: `Subscribe to ${title}` }).click();
    const row = page.locator('tr[data-row-ref^="sub:"]');
    await row.waitFor();
    expect(await row.locator('th').textContent()).toContain(title);
    expect(['committing to Git', 'committed', 'active']).toContain(await row.locator('.status').textContent());
    // The offer now says it is taken instead of offering itself again.
    expect(await card.innerText()).toContain('This application is subscribed.');
    expect(browser.errors).toEqual([]);
  });

  it('creates a key, shows it once with a Copy button, and keeps it in the session only when asked', async () => {
    await page.getByLabel('Title', { exact: true }).fill('production');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key: copy it now' });
    await box.waitFor();
    key = await box.getByLabel('API key').inputValue();
    expect(key).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
    keyId = /Key id (\w+)/.exec(await box.innerText())![1]!;
    expect(await page.locator(`tr[data-row-ref="key:${keyId}"] th`).textContent()).toBe('production');

    await box.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => box.getByRole('status').first().textContent(), SOON).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // Where the browser refuses the clipboard, the key is selected for the person to copy.
    await page.evaluate(() => Object.defineProperty(navigator.clipboard, 'writeText', { value: () => Promise.reject(new DOMException('refused', 'NotAllowedError')) }));
    await box.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => box.getByRole('status').first().textContent(), SOON).toBe('Selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    expect(
      await page.evaluate(() => {
        const input = document.activeElement as HTMLInputElement;
        return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
      }),
    ).toBe(key);

    expect(await page.evaluate((id) => sessionStorage.getItem(`portico.key.${id}`), appId)).toBeNull();
    await box.getByLabel('Keep in this browser session so the Try it console can use it').check();
    expect(JSON.parse((await page.evaluate((id) => sessionStorage.getItem(`portico.key.${id}`), appId))!)).toEqual({ keyId, key });
    expect(browser.errors).toEqual([]);
  });

  it('follows the statuses until the grant is on the branch, without reloading the page', async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await expect.poll(() => statusOf(`key:${keyId}`), { timeout: 60_000, interval: 500 }).toBe('active');
    await expect.poll(() => page.locator('tr[data-row-ref^="sub:"] .status').textContent(), { timeout: 30_000 }).toBe('active');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The commit that made it active is shown next to the status.
    expect(await page.locator(`[data-status-ref="key:${keyId}"] .status-commit code`).textContent()).toMatch(/^[0-9a-f]{7}$/);
    expect(browser.errors).toEqual([]);
  });

  it('never shows the key again after a reload', async () => {
    await page.reload();
    expect(await page.locator('#new-key').isHidden()).toBe(true);
    expect(await page.locator('#new-key-value').inputValue()).toBe('');
    expect(await page.content()).not.toContain(key);
    const row = page.locator(`tr[data-row-ref="key:${keyId}"]`);
    expect(await row.innerText()).toContain(keyId);
    expect(await row.locator('.status').textContent()).toBe('active');
    // What the consumer asked to keep stays for the Try it console, in this session only.
    expect(JSON.parse((await page.evaluate((id) => sessionStorage.getItem(`portico.key.${id}`), appId))!)).toEqual({ keyId, key });
    expect(browser.errors).toEqual([]);
  });

  it('has no serious accessibility problems on the application and account pages', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    const account = await browser.newPage();
    await account.goto(`${portal.base}/account/`);
    expect(await seriousViolations(account)).toEqual([]);
    await account.close();
    expect(browser.errors).toEqual([]);
  });

  it('revokes a key after asking, and forgets the copy kept in the session', async () => {
    await page.getByRole('button', { name: 'Revoke the key production' }).click();
    await expect.poll(() => statusOf(`key:${keyId}`), { timeout: 60_000, interval: 500 }).toBe('revoked');
    expect(await page.locator(`tr[data-row-ref="key:${keyId}"]`).getByRole('button').count()).toBe(0);
    expect(await page.evaluate((id) => sessionStorage.getItem(`portico.key.${id}`), appId)).toBeNull();
    expect(browser.errors).toEqual([]);
  });

  it('rotates a key: the new key is shown once, the old one says when it retires', async () => {
    await page.getByLabel('Title', { exact: true }).fill('ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key: copy it now' });
    await expect.poll(() => box.innerText(), SOON).toContain('titled "ci"');
    const firstKey = await box.getByLabel('API key').inputValue();
    const oldId = /Key id (\w+)/.exec(await box.innerText())![1]!;

    const row = page.locator(`tr[data-row-ref="key:${oldId}"]`);
    await row.locator('summary', { hasText: 'Rotate' }).click();
    await row.getByLabel('The old key keeps working for').selectOption({ label: '1 hour' });
    await row.getByRole('button', { name: 'Create the replacement key for ci' }).click();
    // Either the new key, or the portal's words about why not (which fail the test with them).
    await expect.poll(async () => (await row.locator('[role=alert]').allTextContents()).join('') || (await box.innerText()), SOON).toContain(`It replaces the key ${oldId}, which keeps working until`);
    const newKey = await box.getByLabel('API key').inputValue();
    expect(newKey).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
    expect(newKey).not.toBe(firstKey);
    expect(await box.getByLabel('Keep in this browser session so the Try it console can use it').isChecked()).toBe(false);
    const newId = /Key id (\w+)/.exec(await box.innerText())![1]!;
    expect(await page.locator(`tr[data-row-ref="key:${newId}"] th`).innerText()).toContain(`replaces ${oldId}`);

    // The new key's row is added at once; the old key's row says it retires when the lists refresh.
    const oldStatus = page.locator(`[data-status-ref="key:${oldId}"]`);
    await expect.poll(() => oldStatus.innerText(), SOON).toMatch(/retires at/);
    const retires = /retires at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(await oldStatus.innerText());
    expect(retires).not.toBeNull();
    const minutesLeft = (Date.parse(`${retires![1]!.replace(' ', 'T')}:00Z`) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(57);
    expect(minutesLeft).toBeLessThanOrEqual(60);
    // A retiring key cannot be rotated again, only revoked.
    expect(await row.locator('summary', { hasText: 'Rotate' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Revoke the key ci' }).count()).toBe(1);
    expect(browser.errors).toEqual([]);
  });

  it('changes plan to an offer that needs approval, and withdraws the request', async () => {
    const starter = await offerTitle('logistics/public-starter');
    const monitoring = await offerTitle('logistics/public-monitoring');
    expect(await page.locator('.offer-list .card', { has: page.getByRole('heading', { name: monitoring, exact: true }) }).innerText()).toContain(
      'Needs approval: a platform admin reviews the request first.',
    );
    const current = subscriptionRow(starter);
    await current.locator('summary', { hasText: 'Change plan' }).click();
    await current.getByRole('button', { name: `Switch to ${monitoring}` }).click();
    const proposed = subscriptionRow(monitoring);
    await expect
      .poll(
        () =>
          proposed
            .locator('.status')
            .textContent()
            .catch(() => null),
        SOON,
      )
      .toBe('pending approval');
    expect(await page.locator('.offer-list .card', { has: page.getByRole('heading', { name: monitoring, exact: true }) }).innerText()).toContain('Requested: waiting for an admin to approve it.');
    expect(await proposed.locator('.status-cell').innerText()).toMatch(/waiting for an admin to merge portico\/req-/);
    // Until an admin approves, the current plan stays.
    expect(await current.locator('.status').textContent()).toBe('active');

    await proposed.getByRole('button', { name: `Withdraw request for ${monitoring}` }).click();
    await expect.poll(() => proposed.locator('.status').textContent(), SOON).toBe('rejected');
    expect(await proposed.locator('.status-cell').innerText()).toContain('withdrawn');
    expect(browser.errors).toEqual([]);
  });

  it('unsubscribes: the subscription leaves Git and the page follows it to revoked', async () => {
    const starter = await offerTitle('logistics/public-starter');
    const current = subscriptionRow(starter);
    await current.getByRole('button', { name: `Unsubscribe from ${starter}` }).click();
    await expect.poll(() => current.locator('.status').textContent(), { timeout: 60_000, interval: 500 }).toBe('revoked');
    // The offer can be taken again.
    expect(await page.getByRole('button', { name: `Subscribe to ${starter}` }).count()).toBe(1);
    expect(browser.errors).toEqual([]);
  });

  it("shows the API's words next to the form when it refuses something", async () => {
    await page.goto(`${portal.base}/account/`);
    await page.getByLabel('Application name').fill('   ');
    await page.getByRole('button', { name: 'Create application' }).click();
    const alert = page.locator('form[data-api="/api/v1/applications"] [role=alert]');
    await expect.poll(() => alert.textContent(), SOON).toBe('Give the application a name of 1 to 100 characters.');
    expect(page.url()).toBe(`${portal.base}/account/`);
    // The refused request is the one console line (Chromium's network log of the 400).
    expect(browser.errors).toEqual([`console error on ${portal.base}/account/: Failed to load resource: the server responded with a status of 400 (Bad Request)`]);
    browser.errors.length = 0;
  });

  it('renders names and titles people type as text, never as markup', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const id = await createApplication(name, '<script>alert(2)</script>');
    expect(await page.locator('h1').textContent()).toBe(name);
    expect(await page.locator('.app-description').textContent()).toBe('<script>alert(2)</script>');
    await page.getByLabel('Title', { exact: true }).fill('<b>bold</b>');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('region', { name: 'Your new key: copy it now' }).waitFor();
    expect(await page.getByRole('region', { name: 'Your new key: copy it now' }).innerText()).toContain('titled "<b>bold</b>"');
    await page.locator('tr[data-row-ref^="key:"]').waitFor();
    expect(await page.locator('tr[data-row-ref^="key:"] th').textContent()).toBe('<b>bold</b>');
    expect(await page.locator('main img, main b, main script:not([type="module"])').count()).toBe(0);
    await page.goto(`${portal.base}/account/`);
    expect(await page.locator(`a[href="/account/applications/${id}/"]`).textContent()).toBe(name);
    expect(await page.locator('main img').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('deletes an application after asking', async () => {
    const id = await createApplication('Short-lived');
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.waitForURL(`${portal.base}/account/`);
    expect(await page.locator(`a[href="/account/applications/${id}/"]`).count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
