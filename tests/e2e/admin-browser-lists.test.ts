import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { portalClient, type PortalClient } from '../support/http-client.ts';
import { signUpConfirmed, signUpInBrowser } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * The admin area as lists with actions (issue 15): a page per section, searchable tables that page
 * by 50, and each row's actions working from the row, for an admin only, at 1366 px and at 360 px.
 */

const ADMIN = 'platform@example.test';
/** Listed as an admin too, but never confirmed: admin rights need a confirmed address. */
const UNCONFIRMED_ADMIN = 'boss@example.test';
const CONSUMER = 'dev@example.test';
const PASSWORD = 'a long enough password';
const PAGES = ['/admin/', '/admin/requests/', '/admin/keys/', '/admin/subscriptions/', '/admin/accounts/', '/admin/outbox/', '/admin/drift/', '/admin/apis/', '/admin/mail/'];
/** More keys than one page holds. */
const BULK_KEYS = 55;
const SOON = { timeout: 15_000 };

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let consumer: PortalClient;
let appId: string;
let starterId: string;
const keyIds: string[] = [];

beforeAll(async () => {
  [portal, browser] = await Promise.all([
    startPortal({ PORTICO_ADMIN_EMAILS: `${ADMIN},${UNCONFIRMED_ADMIN}`, PORTICO_GIT_INTERVAL: '1', PORTICO_MAX_KEYS_PER_APPLICATION: String(BULK_KEYS + 5) }),
    launchBrowser(),
  ]);
  consumer = portalClient(portal.base);
  await signUpConfirmed(consumer.call, portal.dataDir, CONSUMER, PASSWORD);
  appId = (await consumer.call('POST', '/api/v1/applications', { name: 'Route planner' })).body.application.id;
  starterId = (await consumer.call('POST', `/api/v1/applications/${appId}/subscriptions`, { offer: 'logistics/public-starter' })).body.subscription.id;
  // Keys through the API, as their owner makes them; one at a time keeps the portal's two cores free.
  for (let i = 0; i < BULK_KEYS; i++) {
    const made = await consumer.call('POST', `/api/v1/applications/${appId}/keys`, { title: `bulk key ${String(i).padStart(2, '0')}` });
    if (made.status !== 201) throw new Error(`creating key ${i} answered ${made.status}: ${made.text}`);
    keyIds.push(made.body.keyId);
  }
  page = await browser.newPage();
  await signUpInBrowser(page, portal.base, portal.dataDir, ADMIN, PASSWORD);
}, 300_000);
afterAll(async () => {
  consumer?.close();
  await browser?.close();
  await portal?.stop();
});

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical accessibility problems axe finds on the page (injected through the DevTools protocol, as the page's CSP refuses inline script). */
async function seriousViolations(p: Page): Promise<string[]> {
  await p.evaluate(readFileSync(AXE, 'utf8'));
  const result = await p.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run());
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** How much wider than the window the page is (0 when it fits). */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('the admin pages', () => {
  it('each section has its page, reachable from the menu, with the admin headers', async () => {
    for (const path of PAGES) {
      const answer = await page.goto(`${portal.base}${path}`);
      expect(answer?.status(), path).toBe(200);
      expect(answer?.headers()['cache-control'], path).toBe('no-store');
      expect(answer?.headers()['content-security-policy'], path).toContain("script-src 'self'");
      expect(/script-src ([^;]*)/.exec(answer?.headers()['content-security-policy'] ?? '')?.[1], path).not.toContain('unsafe-inline');
      expect(await page.getByRole('heading', { level: 1 }).count(), path).toBe(1);
      const menu = page.getByRole('navigation', { name: 'Admin sections' });
      expect(await menu.getByRole('link').count(), path).toBe(PAGES.length);
      expect(await menu.locator('[aria-current="page"]').getAttribute('href'), path).toBe(path);
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await page.goto(`${portal.base}/admin/`);
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Keys' }).click();
    await page.waitForURL(`${portal.base}/admin/keys/`);
    expect(await page.locator('.list-count').innerText()).toContain(`${BULK_KEYS} keys; page 1 of 2.`);
    expect(browser.errors).toEqual([]);
  });

  it('are refused to a consumer, to an unconfirmed sign-up with an admin address, and send a signed-out visitor to sign in', async () => {
    const impostor = portalClient(portal.base);
    expect((await impostor.call('POST', '/api/v1/auth/signup', { email: UNCONFIRMED_ADMIN, password: PASSWORD })).status).toBe(202);
    expect((await impostor.call('POST', '/api/v1/auth/signin', { email: UNCONFIRMED_ADMIN, password: PASSWORD })).status).toBe(200);
    expect((await impostor.call('GET', '/api/v1/me')).body.account).toMatchObject({ emailVerified: false, admin: false });
    const stranger = portalClient(portal.base);
    for (const path of PAGES) {
      for (const [who, client] of [
        ['consumer', consumer],
        ['unconfirmed admin address', impostor],
      ] as const) {
        const answer = await client.call('GET', path);
        expect(answer.status, `${who} on ${path}`).toBe(403);
        expect(answer.text, `${who} on ${path}`).toBe('Only the portal admins may see this page.');
        expect(answer.text).not.toContain(CONSUMER);
      }
      const signedOut = await stranger.call('GET', `${path}?q=x`);
      expect(signedOut.status, path).toBe(302);
      expect(signedOut.headers.location, path).toBe(`/account/sign-in/?next=${encodeURIComponent(path)}`);
    }
    impostor.close();
    stranger.close();
  });
});

describe('the keys list', () => {
  it('pages 50 keys at a time in a stable order, each key once, never its value', async () => {
    await page.goto(`${portal.base}/admin/keys/`);
    const rows = page.locator('tbody tr[data-key]');
    expect(await rows.count()).toBe(50);
    const first = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key!));
    await page.getByRole('navigation', { name: 'Pages of keys' }).getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(`${portal.base}/admin/keys/?page=2`);
    const second = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key!));
    expect(second).toHaveLength(BULK_KEYS - 50);
    expect([...first, ...second].sort()).toEqual([...keyIds].sort());
    // Newest first: the last key made leads the first page.
    expect(first[0]).toBe(keyIds.at(-1));
    // Page 1 again is the same page.
    await page.getByRole('link', { name: '← Previous' }).click();
    await page.waitForURL(`${portal.base}/admin/keys/`);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key!))).toEqual(first);
    // A page past the end shows the last one; a page that is no number says so.
    await page.goto(`${portal.base}/admin/keys/?page=9`);
    expect(await rows.count()).toBe(BULK_KEYS - 50);
    await page.goto(`${portal.base}/admin/keys/?page=two`);
    expect(await page.getByRole('alert').filter({ hasText: 'is not a page number' }).innerText()).toBe('"two" is not a page number (1, 2, 3…); the first page is shown.');
    expect(await rows.count()).toBe(50);
    expect(await page.content()).not.toMatch(/ptc_[A-Za-z0-9_]{20,}/);
    expect(browser.errors).toEqual([]);
  });

  it('filters by a search on the server, without script', async () => {
    const wanted = keyIds[7]!;
    await page.goto(`${portal.base}/admin/keys/`);
    await page.getByRole('searchbox', { name: 'Search keys' }).fill('bulk key 07');
    await page.locator('form.admin-search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${portal.base}/admin/keys/?q=bulk+key+07`);
    expect(await page.locator('tbody tr[data-key]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key))).toEqual([wanted]);
    expect(await page.locator('.list-count').innerText()).toBe('1 key matching "bulk key 07".');
    // The same answer without a browser's script: the page itself is filtered on the server.
    const plain = portalClient(portal.base);
    plain.setCookie(`portico_session=${(await browser.context.cookies()).find((c) => c.name === 'portico_session')!.value}`);
    const html = (await plain.call('GET', '/admin/keys/?q=bulk+key+07')).text;
    expect([...html.matchAll(/<tr data-key="(\w+)"/g)].map((m) => m[1])).toEqual([wanted]);
    plain.close();
    const otherCase = wanted.toLowerCase() === wanted ? wanted.toUpperCase() : wanted.toLowerCase();
    await page.goto(`${portal.base}/admin/keys/?q=${otherCase}`);
    expect(await page.locator(`tbody tr[data-key="${wanted}"]`).count()).toBe(1);
    // The search text is text: % and _ match only themselves.
    await page.goto(`${portal.base}/admin/keys/?q=${encodeURIComponent('%_nothing like this')}`);
    expect(await page.locator('.list-count').innerText()).toBe('No keys match "%_nothing like this".');
    expect(await page.locator('tbody tr').count()).toBe(0);
    await page.goto(`${portal.base}/admin/keys/?q=${encodeURIComponent('%')}`);
    expect(await page.locator('tbody tr').count()).toBe(0);
    // As you type, this page's rows are narrowed at once; Search still asks the server.
    await page.goto(`${portal.base}/admin/keys/`);
    await page.getByRole('searchbox', { name: 'Search keys' }).pressSequentially(keyIds.at(-1)!);
    await expect.poll(() => page.locator('tbody tr[data-key]:visible').count(), SOON).toBe(1);
    expect(await page.locator('[data-filter-note]').innerText()).toBe('1 of the 50 rows on this page match; press Search to search every page.');
    // By owner and application too.
    await page.goto(`${portal.base}/admin/keys/?q=${encodeURIComponent(CONSUMER)}`);
    expect(await page.locator('.list-count').innerText()).toContain(`${BULK_KEYS} keys matching`);
    await page.goto(`${portal.base}/admin/keys/?q=${encodeURIComponent('route PLANNER')}`);
    expect(await page.locator('.list-count').innerText()).toContain(`${BULK_KEYS} keys matching`);
    expect(browser.errors).toEqual([]);
  });

  it('suspends, resumes and revokes a key from its row', async () => {
    const keyId = keyIds[3]!;
    await page.goto(`${portal.base}/admin/keys/?q=${keyId}`);
    const row = page.locator(`tr[data-key="${keyId}"]`);
    await expect
      .poll(
        async () => {
          await page.reload();
          return row.locator('.status').innerText();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe('active');
    await row.getByRole('button', { name: `Suspend key ${keyId}` }).click();
    await expect
      .poll(
        () =>
          row
            .locator('.status')
            .innerText()
            .catch(() => ''),
        SOON,
      )
      .toBe('suspended');
    expect(await row.innerText()).toContain(`suspended by an admin (${ADMIN})`);
    expect(page.url()).toBe(`${portal.base}/admin/keys/?q=${keyId}`);
    expect(await row.getByRole('button', { name: /^Suspend/ }).count()).toBe(0);

    await row.getByRole('button', { name: `Resume key ${keyId}` }).click();
    await expect
      .poll(
        () =>
          row
            .locator('.status')
            .innerText()
            .catch(() => ''),
        SOON,
      )
      .not.toBe('suspended');
    expect(await row.getByRole('button', { name: `Suspend key ${keyId}` }).count()).toBe(1);

    await row.getByRole('button', { name: `Revoke key ${keyId}` }).click();
    await expect
      .poll(
        () =>
          row
            .locator('.status')
            .innerText()
            .catch(() => ''),
        SOON,
      )
      .toMatch(/^revok/);
    expect(await row.innerText()).toContain(`revoked by an admin (${ADMIN})`);
    expect(await row.getByRole('button').count()).toBe(0);
    // The owner sees it revoked.
    await expect
      .poll(async () => (await consumer.call('GET', `/api/v1/applications/${appId}`)).body.application.keys.find((k: { keyId: string }) => k.keyId === keyId).status, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe('revoked');
    expect(browser.errors).toEqual([]);
  });
});

describe('requests and subscriptions', () => {
  it('approves a pull-request request from its row, waiting requests first', async () => {
    const asked = await consumer.call('POST', `/api/v1/applications/${appId}/subscriptions`, { offer: 'logistics/public-monitoring' });
    expect(asked.body.subscription.status).toBe('pending-approval');
    await page.goto(`${portal.base}/admin/`);
    expect(await page.locator('section[aria-labelledby="requests-h"]').innerText()).toContain('1 request is waiting for approval.');
    await page.getByRole('link', { name: 'Review access requests' }).click();
    await page.waitForURL(`${portal.base}/admin/requests/`);
    const row = page.locator(`tbody tr[data-request="${asked.body.requestId}"]`);
    expect(await page.locator('tbody tr').first().getAttribute('data-request')).toBe(asked.body.requestId);
    expect(await row.innerText()).toContain('Route planner');
    expect(await row.innerText()).toContain(CONSUMER);
    await page.getByRole('searchbox', { name: 'Search requests' }).fill('no such request anywhere');
    await page.locator('form.admin-search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=no\+such/);
    expect(await row.count()).toBe(0);
    await page.goto(`${portal.base}/admin/requests/?q=${encodeURIComponent('route planner')}`);
    await row.getByRole('button', { name: /^Approve Route planner/ }).click();
    await expect.poll(() => row.getByRole('button', { name: /^Approve/ }).count(), SOON).toBe(0);
    expect(await row.innerText()).not.toContain('pending approval');
    await expect
      .poll(async () => (await consumer.call('GET', `/api/v1/applications/${appId}`)).body.application.subscriptions.find((s: { id: string }) => s.id === asked.body.subscription.id).status, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe('active');
    expect(browser.errors).toEqual([]);
  });

  it('ends a subscription from its row', async () => {
    await page.goto(`${portal.base}/admin/subscriptions/?q=${encodeURIComponent('public-starter')}`);
    const row = page.locator(`tbody tr[data-subscription="${starterId}"]`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await expect
      .poll(
        async () => {
          await page.reload();
          return row.locator('.status').innerText();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe('active');
    const text = await row.innerText();
    for (const part of [CONSUMER, 'Route planner', 'logistics/public-starter', 'active']) expect(text).toContain(part);
    await row.getByRole('button', { name: /^End the subscription of Route planner/ }).click();
    await expect
      .poll(
        () =>
          row
            .locator('.status')
            .innerText()
            .catch(() => ''),
        SOON,
      )
      .toMatch(/^revok/);
    expect(await row.innerText()).toContain(`ended by an admin (${ADMIN})`);
    expect(await row.getByRole('button').count()).toBe(0);
    await expect
      .poll(async () => (await consumer.call('GET', `/api/v1/applications/${appId}`)).body.application.subscriptions.find((s: { id: string }) => s.id === starterId).status, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe('revoked');
    expect(browser.errors).toEqual([]);
  });

  it("edits an account's groups from its row, and finds accounts by email", async () => {
    await page.goto(`${portal.base}/admin/accounts/?q=dev%40`);
    const row = page.locator('tbody tr', { hasText: CONSUMER });
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await row.innerText()).toMatch(/dev@example\.test\s+yes\s+no/);
    await row.getByRole('textbox', { name: `Groups of ${CONSUMER}` }).fill('partners, fleet-ops');
    // Saving loads the page again, with the search kept.
    const reloaded = page.waitForEvent('load');
    await row.getByRole('button', { name: /^Save/ }).click();
    await reloaded;
    expect(page.url()).toBe(`${portal.base}/admin/accounts/?q=dev%40`);
    expect(await row.getByRole('textbox', { name: `Groups of ${CONSUMER}` }).inputValue()).toBe('fleet-ops, partners');
    await expect.poll(async () => (await consumer.call('GET', '/api/v1/me')).body.account.groups, SOON).toEqual(['fleet-ops', 'partners']);
    await page.goto(`${portal.base}/admin/accounts/?q=fleet-ops`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(browser.errors).toEqual([]);
  });
});

describe('the mail outbox', () => {
  it('links addresses on the portal, and never a confirmation or reset link', async () => {
    // Signing up again with a taken address mails the owner a sign-in address (no token in it).
    expect((await portalClient(portal.base).call('POST', '/api/v1/auth/signup', { email: CONSUMER, password: 'somebody else entirely' })).status).toBe(202);
    await portalClient(portal.base).call('POST', '/api/v1/auth/password-reset', { email: CONSUMER });
    await page.goto(`${portal.base}/admin/mail/`);
    const signIn = page.locator('.mail-list a', { hasText: `${portal.base}/account/sign-in/` }).first();
    expect(await signIn.getAttribute('href')).toBe(`${portal.base}/account/sign-in/`);
    const hrefs = await page.locator('.mail-list a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) {
      expect(new URL(href).origin).toBe(portal.base);
      expect(href).not.toContain('token');
    }
    const text = await page.locator('.mail-list').innerText();
    expect(text).toContain('Reset your password');
    expect(text).toContain('token=[removed: sent to the addressee only]');
    expect(await page.content()).not.toMatch(/token=[A-Za-z0-9]{10,}\.[A-Za-z0-9]{10,}/);
    // A real link: following it leaves the admin area for the portal's own page (a signed-in admin lands on the account page).
    await signIn.click();
    await page.waitForURL((url) => url.origin === portal.base && url.pathname.startsWith('/account/'));
    expect(browser.errors).toEqual([]);
  });
});

describe('at 360 px', () => {
  it('no admin page is wider than the screen; wide tables scroll inside themselves', async () => {
    const narrow = await browser.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    for (const path of PAGES) {
      await narrow.goto(`${portal.base}${path}`);
      expect(await overflow(narrow), path).toBeLessThanOrEqual(0);
    }
    await narrow.goto(`${portal.base}/admin/keys/`);
    const scroller = narrow.locator('.table-scroll').first();
    // The table is wider than the screen, and scrolls inside its box (the box itself, or the table as a scrolling block).
    const box = await scroller.evaluate((el) => ({
      width: el.getBoundingClientRect().width,
      scrolls: [el, el.querySelector('table')!].some((x) => x.scrollWidth > x.clientWidth && getComputedStyle(x).overflowX === 'auto'),
    }));
    expect(box.width).toBeLessThanOrEqual(360);
    expect(box.scrolls).toBe(true);
    await narrow.close();
    expect(browser.errors).toEqual([]);
  });
});
