import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOffers, getAccessHref } from '../../src/lib/access/get-access.ts';
import { offersFor } from '../../src/lib/access/offers.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildDocsSite, type DocsApi } from '../../src/lib/docs/site.ts';
import { until } from '../support/api.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { mailTo } from '../support/mail.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * From reading to calling, in Chromium, without typing an address: signed out on an API page,
 * "Get access" leads to sign-up; the link in the confirmation mail (opened as a mail client would)
 * comes back to the same step, signed in, with the plan the API page named preselected; one
 * button creates the application and subscribes it; the key is created on the application's page,
 * and its Try it link opens an operation's console with the key, which answers 200 through the
 * demo gateway's HAProxy.
 */

const EMAIL = 'reader@example.test';
const PASSWORD = 'a long enough password';
const APP = 'Label printer';

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let gatewayPort: number;
/** The API whose page the journey starts on, and the offer its "Get access" preselects. */
let api: DocsApi;
let offer: { offer: string; title: string; plan: string };
let catalogForTest: Awaited<ReturnType<typeof loadCatalog>>;

const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

/** Waits until HAProxy runs a commit that includes the branch as it is now. */
async function gatewayHasBranchTip(): Promise<void> {
  const tip = git('rev-parse', 'main');
  await until(
    `the demo gateway to load ${tip.slice(0, 7)}`,
    async () => {
      const status = (await (await fetch(`${portal.base}/api/v1/gateway`)).json()) as { running: boolean; commit: string | null };
      if (!status.running || !status.commit) return undefined;
      try {
        execFileSync('git', ['merge-base', '--is-ancestor', tip, status.commit], {
          cwd: path.join(portal.dataDir, 'gitops.git'),
          stdio: 'ignore',
          env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
        });
        return true;
      } catch {
        return undefined;
      }
    },
    30,
  );
}

beforeAll(async () => {
  const catalog = (catalogForTest = await loadCatalog(path.join(projectRoot, 'content'), { offline: true }));
  // The public API with the most operations that a self-service offer for everyone covers.
  const site = buildDocsSite(catalog);
  api = site.apis.filter((a) => a.plans.some((p) => p.selfService)).sort((a, b) => b.versions[0]!.operations.length - a.versions[0]!.operations.length)[0]!;
  const plan = api.plans.find((p) => p.selfService)!;
  const { preselected } = chooseOffers(offersFor(catalog, []), { api: api.api.key, plan: plan.plan.key });
  expect(preselected, `an offer of ${api.api.title} on ${plan.plan.title}`).toBeDefined();
  offer = { offer: preselected!.offer, title: preselected!.title, plan: preselected!.plan.title };
  expect(preselected!.approval).toBe('instant');

  [portal, browser] = await Promise.all([startPortal({ PORTICO_GIT_INTERVAL: '1' }), launchBrowser()]);
  gatewayPort = portal.gatewayPort;
  page = await browser.newPage();
}, 200_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('a reader gets from an API page to a first 200 through the demo gateway', () => {
  let key: string;
  let keyId: string;

  it('"Get access" on the API page leads a signed-out reader to sign up, and the mailed link back to the same step', async () => {
    await page.goto(`${portal.base}${api.href}`);
    const action = page.getByRole('link', { name: 'Get access', exact: true });
    expect(await action.getAttribute('href')).toBe(getAccessHref({ api: api.api.key, plan: api.plans.find((p) => p.selfService)!.plan.key }));
    await action.click();
    await page.waitForURL(/\/account\/sign-up\/\?next=/);
    const next = new URL(page.url()).searchParams.get('next');
    expect(next).toBe(getAccessHref({ api: api.api.key, plan: api.plans.find((p) => p.selfService)!.plan.key }));

    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Check your mail').waitFor();

    // The reader opens the link in their mail: the confirmation, then the step they came for.
    const mail = await until('the confirmation mail', async () => mailTo(portal.dataDir, EMAIL, 'Confirm your email address').at(-1));
    const link = /^(http\S+\/account\/verify-email\?\S+)$/m.exec(mail)?.[1];
    expect(link).toBeDefined();
    expect(new URL(link!).origin).toBe(portal.base);
    expect(new URL(link!).searchParams.get('next')).toBe(next);
    await page.goto(link!);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/account/get-access/');
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe(next);
    expect(await page.locator('h1').textContent()).toBe(`Get access to ${api.api.title}`);
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('subscribes a new application in one step, with the plan preselected', async () => {
    const chosen = page.getByRole('radio', { name: new RegExp(`^${offer.title}: plan ${offer.plan},`) });
    expect(await chosen.isChecked()).toBe(true);
    // No application yet: the step asks for a name.
    await page.getByLabel('Application name').fill(APP);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(/\/account\/applications\/app-[^/]+\/#create-key-h$/);
    expect(await page.locator('h1').textContent()).toBe(APP);
    const row = page.locator('tr[data-row-ref^="sub:"]');
    await row.waitFor();
    expect(await row.innerText()).toContain(offer.title);
    expect(browser.errors).toEqual([]);
  });

  it('creates a key, shown once, with its Try it link one step away', async () => {
    await page.getByLabel('Title', { exact: true }).fill('first key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key: copy it now' });
    await expect.poll(() => box.innerText(), { timeout: 15_000 }).toContain('titled "first key"');
    key = await box.getByLabel('API key').inputValue();
    expect(key).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
    keyId = /Key id (\w+)/.exec(await box.innerText())![1]!;
    const tryLink = box.getByRole('link', { name: `Try ${api.api.title}` });
    const href = (await tryLink.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${api.href}.+/operations/.+#try-it$`));
    expect(href).not.toContain(key);
    // The reader waits for the page to say the key is active (it follows the statuses itself).
    await expect.poll(() => page.locator(`[data-status-ref="key:${keyId}"] .status`).textContent(), { timeout: 60_000, interval: 500 }).toBe('active');
    await gatewayHasBranchTip();
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('follows the Try it link: the console has the key, and the call answers 200 through HAProxy', async () => {
    await page
      .getByRole('region', { name: 'Your new key: copy it now' })
      .getByRole('link', { name: `Try ${api.api.title}` })
      .click();
    await page.waitForURL((url) => url.hash === '#try-it' && url.pathname.includes('/operations/'));
    // Nothing of the key in the address; it is in this tab's session storage, as the console reads it.
    expect(page.url()).not.toContain(key);
    const panel = page.locator('details.try-it');
    const send = panel.getByRole('button', { name: 'Send GET' });
    await send.waitFor();
    await expect.poll(() => panel.getByLabel('Application').locator('option').allTextContents(), { timeout: 15_000 }).toEqual([`${APP} (plan ${offer.plan})`]);
    await expect.poll(() => panel.getByLabel('API key, sent in the header X-API-Key').inputValue()).toBe(key);
    expect(await panel.getByLabel('Server').inputValue()).toMatch(new RegExp(`^http://localhost:${gatewayPort}/`));
    await send.click();
    const answer = panel.getByRole('region', { name: 'Answer' });
    await answer.locator('.try-it-summary').waitFor();
    expect(await answer.locator('.try-it-summary').textContent()).toMatch(new RegExp(`^200 OK · \\d+ ms · \\d+ bytes · from http://localhost:${gatewayPort}/`));
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('signed in, "Get access" on the plans page goes straight to the step, that plan preselected, the application already there', async () => {
    await page.getByRole('link', { name: 'Plans', exact: true }).first().click();
    await page.waitForURL((url) => url.pathname === '/plans/');
    const growth = offersFor(catalogForTest, []).find((o) => o.approval === 'pull-request' && o.apis.some((a) => a.key === api.api.key))!;
    await page.getByRole('link', { name: `Get access on the ${growth.plan.title} plan` }).click();
    await page.waitForURL((url) => url.pathname === '/account/get-access/');
    expect(await page.getByRole('radio', { name: new RegExp(`^${growth.title}: plan ${growth.plan.title},`) }).isChecked()).toBe(true);
    // The application made before is chosen; a new one would need a name.
    expect(await page.getByRole('radio', { name: APP }).isChecked()).toBe(true);
    expect(await page.getByLabel('Application name').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.waitForURL(/\/account\/applications\/app-[^/]+\/#create-key-h$/);
    const rows = page.locator('tr[data-row-ref^="sub:"]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('table').first().innerText()).toContain('pending approval');
    expect(browser.errors).toEqual([]);
  });

  it('carries only a path on this portal through the mail: another site in `next` is dropped', async () => {
    for (const [email, next] of [
      ['evil-1@example.test', '//evil.example/account/'],
      ['evil-2@example.test', 'https://evil.example/'],
      ['evil-3@example.test', '/\t/evil.example/'],
    ] as const) {
      const asked = await fetch(`${portal.base}/api/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: portal.base },
        body: JSON.stringify({ email, password: PASSWORD, next }),
      });
      expect(asked.status).toBe(202);
      const mail = await until(`the mail to ${email}`, async () => mailTo(portal.dataDir, email, 'Confirm your email address').at(-1));
      const link = new URL(/^(http\S+\/account\/verify-email\?\S+)$/m.exec(mail)![1]!);
      expect(link.origin).toBe(portal.base);
      expect(link.searchParams.has('next')).toBe(false);
    }
  });
});
