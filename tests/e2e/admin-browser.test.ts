import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpInBrowser } from '../support/mail.ts';

const ADMIN = 'platform@example.test';
let portal: RunningPortal;
let browser: Browser;
let page: Page;
const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ PORTICO_ADMIN_EMAILS: ADMIN, PORTICO_GIT_INTERVAL: '1' }), launchBrowser()]);
  page = await browser.newPage();
  await signUpInBrowser(page, portal.base, portal.dataDir, ADMIN, 'a long enough password');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** A key's status words on its application's page, loading the page afresh each time. */
async function keyStatusAfterReload(appUrl: string, keyId: string): Promise<string | null> {
  await page.goto(appUrl);
  return page.locator(`[data-status-ref="key:${keyId}"] .status`).textContent();
}

/** How long a step that waits on the portal (a key being made and encrypted, a page load) may take. */
const SOON = { timeout: 15_000 };

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

async function seriousViolations(p: Page): Promise<string[]> {
  // Through the DevTools protocol: the page's Content-Security-Policy rightly refuses an injected inline script.
  await p.evaluate(readFileSync(AXE, 'utf8'));
  const result = await p.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run());
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The offer's title, as the catalog API gives it to this account. */
async function offerTitle(offer: string): Promise<string> {
  const offers = await page.evaluate(async () => (await (await fetch('/api/v1/catalog')).json()).offers as Array<{ offer: string; title: string }>);
  return offers.find((o) => o.offer === offer)!.title;
}

/** Creates an application through the account page and asks for access to an offer that needs approval. */
async function requestAccess(name: string): Promise<{ appUrl: string; row: ReturnType<Page['locator']> }> {
  await page.goto(`${portal.base}/account/`);
  await page.getByLabel('Application name').fill(name);
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(/\/account\/applications\/app-[^/]+\/$/);
  const monitoring = await offerTitle('logistics/public-monitoring');
  await page.getByRole('button', { name: `Request access to ${monitoring}` }).click();
  const row = page.locator('tr[data-row-ref^="sub:"]');
  await expect
    .poll(
      () =>
        row
          .locator('.status')
          .textContent()
          .catch(() => null),
      SOON,
    )
    .toBe('pending approval');
  return { appUrl: page.url(), row };
}

describe('the admin area in Chromium', () => {
  it('shows the access sections beside accounts and mail, with no serious accessibility problems', async () => {
    await page.goto(`${portal.base}/admin/`);
    for (const name of ['Access requests', 'Keys and subscriptions', 'Git outbox', 'Drift between Git and the database', 'Accounts (1)', 'Mail outbox']) {
      expect(await page.getByRole('heading', { name, exact: true, level: 2 }).count(), name).toBe(1);
    }
    expect(await page.locator('section[aria-labelledby="requests-h"]').innerText()).toContain('No request is waiting for approval.');
    expect(await page.locator('section[aria-labelledby="drift-h"]').innerText()).toMatch(/Last checked \d{4}-\d\d-\d\d \d\d:\d\d UTC\.|Not checked yet/);
    expect(await page.locator('section[aria-labelledby="accounts-h"]').innerText()).toContain(ADMIN);
    expect(await seriousViolations(page)).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('approves a request: the branch is merged and the consumer sees the subscription become active', async () => {
    const { appUrl, row } = await requestAccess('Fleet dashboard');
    const branch = /merge (portico\/req-[0-9a-z]+)/.exec(await row.locator('.status-cell').innerText())![1]!;

    // Requests have their own page now (issue 15): the request is a row there, with its actions.
    await page.goto(`${portal.base}/admin/requests/`);
    const request = page.locator('tbody tr', { hasText: 'Fleet dashboard' });
    expect(await request.innerText()).toContain(ADMIN);
    expect(await request.innerText()).toContain(branch);
    // The proposal's branch is in the repository before anyone approves it.
    await expect.poll(() => git('branch', '--list', branch).trim(), { timeout: 30_000 }).toBe(branch);
    // With a request and its forms on the page, it is still free of serious accessibility problems.
    expect(await seriousViolations(page)).toEqual([]);
    await request.getByRole('button', { name: /^Approve/ }).click();
    // The page loads again with the decision in the row, and the overview has no request waiting.
    await expect.poll(() => request.getByRole('button', { name: /^Approve/ }).count(), SOON).toBe(0);
    expect(await request.innerText()).not.toContain('pending approval');
    await page.goto(`${portal.base}/admin/`);
    expect(await page.locator('section[aria-labelledby="requests-h"]').innerText()).toContain('No request is waiting for approval.');

    // The outbox shows the merge it queued, and publishes it.
    await page.goto(`${portal.base}/admin/outbox/`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('section[aria-labelledby="outbox-h"]').innerText();
        },
        { timeout: 30_000 },
      )
      .toMatch(/Recently published[\s\S]*Approve app-/);

    await page.goto(appUrl);
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 60_000, interval: 500 }).toBe('active');
    expect(browser.errors).toEqual([]);
  });

  it('rejects a request with a reason the consumer reads', async () => {
    const { appUrl, row } = await requestAccess('Shadow scraper');
    await page.goto(`${portal.base}/admin/requests/`);
    const request = page.locator('tbody tr', { hasText: 'Shadow scraper' });
    await request.getByRole('textbox', { name: /^Reason for rejecting Shadow scraper/ }).fill('read access is enough for a dashboard');
    await request.getByRole('button', { name: /^Reject/ }).click();
    await expect.poll(() => request.innerText(), SOON).toContain(`rejected by ${ADMIN}: read access is enough for a dashboard`);
    await page.goto(appUrl);
    expect(await row.locator('.status').textContent()).toBe('rejected');
    expect(await row.locator('.status-cell').innerText()).toContain(`rejected by ${ADMIN}: read access is enough for a dashboard`);
    expect(browser.errors).toEqual([]);
  });

  it('suspends, resumes and revokes a key by its id', async () => {
    await page.goto(`${portal.base}/account/`);
    await page.getByRole('link', { name: 'Fleet dashboard' }).click();
    await page.getByLabel('Title', { exact: true }).fill('wallboard');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key: copy it now' });
    await expect.poll(() => box.innerText(), SOON).toContain('titled "wallboard"');
    const keyId = /Key id (\w+)/.exec(await box.innerText())![1]!;
    const appUrl = page.url();
    await expect.poll(() => page.locator(`[data-status-ref="key:${keyId}"] .status`).textContent(), { timeout: 60_000, interval: 500 }).toBe('active');

    const admin = await browser.newPage();
    await admin.goto(`${portal.base}/admin/keys/`);
    const form = admin.locator('form', { has: admin.getByLabel('Key id') });
    await form.getByLabel('Key id').fill(keyId);
    await form.getByRole('button', { name: 'Suspend' }).click();
    await expect.poll(() => keyStatusAfterReload(appUrl, keyId), { timeout: 30_000 }).toBe('suspended');
    expect(await page.locator(`[data-status-ref="key:${keyId}"]`).innerText()).toContain(`suspended by an admin (${ADMIN})`);
    expect(await form.getByRole('status').innerText()).toContain('Queued');

    await form.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => keyStatusAfterReload(appUrl, keyId), { timeout: 60_000, interval: 1000 }).toBe('active');

    await form.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => keyStatusAfterReload(appUrl, keyId), { timeout: 60_000, interval: 1000 }).toBe('revoked');
    expect(await page.locator(`[data-status-ref="key:${keyId}"]`).innerText()).toContain(`revoked by an admin (${ADMIN})`);
    await admin.close();
    expect(browser.errors).toEqual([]);
  });
});
