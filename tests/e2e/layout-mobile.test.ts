import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { signUpInBrowser } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// Every kind of page at a 360 px phone and a 1366 px laptop: nothing wider than the screen, the
// site's navigation behind a menu button on the phone, a sticky sidebar on the laptop, and no
// console error. The run also writes screenshots for the README's "What it looks like".

const ADMIN = 'layout@example.test';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../.screenshots');
const PHONE = { width: 360, height: 740 };
const LAPTOP = { width: 1366, height: 768 };
const API = '/apis/shipments/';
const OPERATION = '/apis/shipments/shipments-v2/operations/createShipment/';

let portal: RunningPortal;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ PORTICO_ADMIN_EMAILS: ADMIN }), launchBrowser()]);
  page = await browser.newPage();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);
// Each test answers for the console errors of its own pages.
beforeEach(() => {
  browser.errors.length = 0;
});
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** Opens a page at a screen width and waits until it and its server islands have loaded. */
async function open(url: string, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport);
  await page.goto(`${portal.base}${url}`, { waitUntil: 'networkidle' });
}

/** How far the page reaches past the right edge of the screen (0 when it fits). */
async function overflow(): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The elements that stick out past the right edge (outside any scrolling box), to say which in a failure. */
async function widest(): Promise<string[]> {
  return page.evaluate(() => {
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const scrolls = (el: Element) => /auto|scroll|hidden|clip/.test(getComputedStyle(el).overflowX);
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= window.innerWidth + 0.5) continue;
      let inside = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scrolls(a) && a.getBoundingClientRect().right <= window.innerWidth + 0.5) inside = true;
      if (!inside) out.push(`${name(el)} (${Math.round(r.right)} px, ${getComputedStyle(el).display})`);
    }
    return out.slice(0, 12);
  });
}

/** Table cells whose words may break anywhere (only code in a cell may). */
async function cellsBreakingWords(): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('main th, main td'))
      .filter((cell) => {
        const s = getComputedStyle(cell);
        return s.overflowWrap === 'anywhere' || s.wordBreak === 'break-all';
      })
      .map((cell) => (cell.textContent ?? '').trim().slice(0, 40)),
  );
}

/** At 360 px: the menu button opens a drawer with the site's navigation (and the API's sidebar), Escape closes it. */
async function expectDrawer(withSidebar: boolean, screenshot?: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  expect(await menu.isVisible()).toBe(true);
  expect(await page.getByRole('navigation', { name: 'Site', exact: true }).isVisible()).toBe(false);
  expect(await menu.getAttribute('aria-expanded')).toBe('false');
  const siteMenu = page.getByRole('navigation', { name: 'Site menu' });
  expect(await siteMenu.isVisible()).toBe(false);
  await menu.click();
  expect(await menu.getAttribute('aria-expanded')).toBe('true');
  expect(await siteMenu.isVisible()).toBe(true);
  expect(await siteMenu.getByRole('link').allTextContents()).toEqual(['APIs', 'Plans', 'Guides']);
  // Focus moves into the drawer, on its first link.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('APIs');
  const sidebar = page.getByRole('complementary', { name: 'In this API' });
  if (withSidebar) expect(await sidebar.isVisible()).toBe(true);
  if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshot}-360-menu.png`) });
  // The open drawer stays within the screen.
  const box = (await page.locator('#site-drawer').boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  await page.keyboard.press('Escape');
  expect(await menu.getAttribute('aria-expanded')).toBe('false');
  expect(await siteMenu.isVisible()).toBe(false);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('menu-button');
}

/**
 * The console errors of the pages seen, less Chromium's own line for a page that answers 404 on
 * purpose ("Failed to load resource: ... 404"): that is the status the 404 page must have. The
 * expected ones are taken out; the unexpected ones are returned for the test to assert on.
 */
function consoleErrors(): string[] {
  const expected = (e: string) => /^console error on [^ ]+\/(no-such-page|apis\/no-such-api\/[^ ]*)\/: Failed to load resource: the server responded with a status of 404/.test(e);
  const unexpected = browser.errors.filter((e) => !expected(e));
  // Taken: the check after each test fails on whatever is left.
  browser.errors.length = 0;
  return unexpected;
}

interface PageCase {
  name: string;
  url: () => string;
  sidebar?: boolean;
  screenshot?: string;
}

const publicPages: PageCase[] = [
  { name: 'catalog', url: () => '/', screenshot: 'catalog' },
  { name: 'API', url: () => API, sidebar: true, screenshot: 'api' },
  { name: 'operation', url: () => OPERATION, sidebar: true, screenshot: 'operation' },
  { name: 'schema', url: () => '/apis/shipments/shipments-v2/schemas/Item/', sidebar: true },
  { name: 'plans', url: () => '/plans/' },
  { name: 'guides', url: () => '/guides/' },
  { name: 'guide', url: () => '/guides/getting-started/' },
  { name: 'search', url: () => '/search/?q=shipment' },
  { name: 'sign-in', url: () => '/account/sign-in/' },
  { name: '404', url: () => '/no-such-page/' },
];

let applicationUrl = '';
const signedInPages: PageCase[] = [
  { name: 'account', url: () => '/account/', screenshot: 'account' },
  { name: 'application', url: () => applicationUrl },
  { name: 'admin', url: () => '/admin/' },
];

function checkPages(cases: PageCase[]): void {
  for (const c of cases) {
    it(`${c.name} page: fits a 360 px screen, with the navigation in a drawer`, async () => {
      await open(c.url(), PHONE);
      expect(await overflow(), `wider than the screen: ${(await widest()).join(', ')}`).toBeLessThanOrEqual(0);
      expect(await cellsBreakingWords()).toEqual([]);
      if (c.screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${c.screenshot}-360.png`) });
      await expectDrawer(Boolean(c.sidebar), c.sidebar ? c.screenshot : undefined);
      expect(consoleErrors()).toEqual([]);
    });
    it(`${c.name} page: fits a 1366 px screen, with the site's navigation in the header`, async () => {
      await open(c.url(), LAPTOP);
      expect(await overflow(), `wider than the screen: ${(await widest()).join(', ')}`).toBeLessThanOrEqual(0);
      expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
      expect(await page.getByRole('navigation', { name: 'Site', exact: true }).isVisible()).toBe(true);
      if (c.sidebar) {
        const drawer = page.locator('#site-drawer');
        expect(await drawer.isVisible()).toBe(true);
        expect(await drawer.evaluate((el) => getComputedStyle(el).position)).toBe('sticky');
        // The sidebar is the left column, beside the content.
        const [side, main] = [(await drawer.boundingBox())!, (await page.locator('main').boundingBox())!];
        expect(side.x + side.width).toBeLessThanOrEqual(main.x);
      }
      if (c.screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${c.screenshot}-1366.png`) });
      expect(consoleErrors()).toEqual([]);
    });
  }
}

describe('pages anyone can read', () => {
  checkPages(publicPages);

  it('keeps the sidebar in view while the operation page scrolls, its tag open and the others closed', async () => {
    await open(OPERATION, LAPTOP);
    const current = page.locator('.sidebar [aria-current="page"]');
    expect(await current.textContent()).toContain('POST');
    const tag = current.locator('xpath=ancestor::details[1]');
    expect(await tag.getAttribute('open')).toBe('');
    expect(await page.locator('.sidebar details:not([open])').count()).toBeGreaterThan(0);
    await page.mouse.wheel(0, 3000);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const box = (await page.locator('#site-drawer').boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(-1);
    expect(box.y).toBeLessThan(LAPTOP.height);
  });

  it('puts the content before the sidebar in the document, so a phone starts with the page', async () => {
    await open(OPERATION, PHONE);
    const sidebarFollows = await page.evaluate(() => Boolean(document.querySelector('main')!.compareDocumentPosition(document.querySelector('.sidebar')!) & Node.DOCUMENT_POSITION_FOLLOWING));
    expect(sidebarFollows).toBe(true);
    const main = (await page.locator('main h1').boundingBox())!;
    expect(main.y).toBeLessThan(PHONE.height);
  });

  it('starts no link text with an underlined space (method labels in the sidebar and the API page)', async () => {
    await open(API, LAPTOP);
    const underlinedSpaces = await page.evaluate(() => {
      const bad: string[] = [];
      for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('main a, .sidebar a'))) {
        const method = a.querySelector('.method');
        if (!method) continue;
        const space = method.nextSibling;
        // The space after the method label is in the link: it must not be drawn underlined.
        if (space?.nodeType === Node.TEXT_NODE && getComputedStyle(a).textDecorationLine.includes('underline')) bad.push(a.textContent ?? '');
      }
      return bad;
    });
    expect(underlinedSpaces).toEqual([]);
    // "Version:" stands apart from the first version's pill.
    const label = (await page.locator('.version-switcher > .muted').first().boundingBox())!;
    const pill = (await page.locator('.version-switcher .pill').first().boundingBox())!;
    expect(pill.x - (label.x + label.width)).toBeGreaterThanOrEqual(4);
    // One heading says "Webhooks": the tag; the webhooks the API sends have their own words.
    expect(await page.getByRole('heading', { name: 'Webhooks', exact: true }).count()).toBeLessThanOrEqual(1);
  });
});

describe('Scalar and Swagger UI inside the portal', () => {
  it("keeps the portal's element styles out of Scalar and gives it the portal's colours and fonts", async () => {
    await open('/apis/shipments/shipments-v2/try/', LAPTOP);
    const app = page.locator('#scalar-view .scalar-app').first();
    await app.waitFor({ timeout: 20_000 });
    const look = await app.evaluate((el) => {
      const s = getComputedStyle(el);
      return { font: s.getPropertyValue('--scalar-font'), accent: s.getPropertyValue('--scalar-color-accent').trim() };
    });
    expect(look.font).toContain('system-ui');
    expect(look.accent).toBe('#0b5cad');
    // No button inside Scalar wears the portal's button rule (its 0.35rem 0.75rem padding and border).
    const portalStyled = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll<HTMLElement>('#scalar-view button')).filter((b) => {
          const s = getComputedStyle(b);
          return s.paddingTop === '5.6px' && s.paddingLeft === '12px' && s.borderTopStyle === 'solid' && s.borderTopWidth === '1px';
        }).length,
    );
    expect(portalStyled).toBe(0);
    // Its authentication panel's heading is whole ("Authentication Required", not "Authentication Require…").
    const clipped = await page.evaluate(() => {
      const heading = Array.from(document.querySelectorAll<HTMLElement>('#scalar-view h2')).find((h) => /^Authentication/.test(h.textContent ?? ''));
      const box = heading?.closest('button') ?? heading;
      return box ? box.scrollWidth - box.clientWidth : -1;
    });
    expect(clipped).toBeGreaterThanOrEqual(0);
    expect(clipped).toBeLessThanOrEqual(1);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(consoleErrors()).toEqual([]);
  });

  it('shows Swagger UI with readable version badges', async () => {
    await open('/apis/shipments/shipments-v2/swagger/', LAPTOP);
    const badge = page.locator('#swagger-view .info .title small pre').first();
    await badge.waitFor({ timeout: 20_000 });
    const [color, background] = await badge.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el.parentElement!).backgroundColor]);
    expect(color).not.toBe('rgb(255, 255, 255)');
    expect(background).not.toBe(color);
    expect(consoleErrors()).toEqual([]);
  });

  it('offers an enum query parameter in Try it as a choice of its values', async () => {
    await open('/apis/shipments/shipments-v2/operations/listShipments/', LAPTOP);
    await page.locator('details.try-it > summary').click();
    const sort = page.getByLabel(/^sort/);
    await sort.waitFor();
    expect(await sort.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await sort.locator('option').allTextContents()).toEqual(['(not sent)', 'createdAt', '-createdAt', 'estimatedDelivery', '-estimatedDelivery']);
    expect(await sort.inputValue()).toBe('-createdAt');
    expect(consoleErrors()).toEqual([]);
  });
});

describe('the 404 page', () => {
  it('is the branded page for a browser on a missing static address', async () => {
    const res = await page.goto(`${portal.base}/no-such-page/`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('header.site-header').count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    expect(consoleErrors()).toEqual([]);
  });

  it('is the branded page for a browser on a server route, while a script keeps the text answer', async () => {
    const res = await page.goto(`${portal.base}/apis/no-such-api/v9/operations/nothing/`);
    expect(res?.status()).toBe(404);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.locator('header.site-header').count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    const script = await fetch(`${portal.base}/apis/no-such-api/v9/`, { headers: { accept: 'application/json' } });
    expect(script.status).toBe(404);
    expect(script.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await script.text()).toBe('Not found');
    // An API client on a missing endpoint reads a problem document, not a page.
    const api = await fetch(`${portal.base}/api/v1/no-such-endpoint`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
    expect(await api.json()).toMatchObject({ status: 404, code: 'not-found', detail: 'There is no API endpoint at /api/v1/no-such-endpoint. The endpoints are listed in /api/v1/openapi.json.' });
    expect(consoleErrors()).toEqual([]);
  });
});

describe('pages of a signed-in person', () => {
  beforeAll(async () => {
    await page.setViewportSize(LAPTOP);
    await signUpInBrowser(page, portal.base, portal.dataDir, ADMIN, 'a long enough password');
    await page.getByLabel('Application name').fill('Layout check');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL(/\/account\/applications\/app-[^/]+\/$/);
    applicationUrl = new URL(page.url()).pathname;
  }, 60_000);

  it('lists a key just created in place, with no "No keys yet." beside it', async () => {
    await open(applicationUrl, PHONE);
    expect(await page.getByText('No keys yet.').count()).toBe(1);
    await page.getByLabel('Title', { exact: true }).fill('phone');
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('region', { name: 'Your new key: copy it now' });
    await box.waitFor();
    const keyId = /Key id (\w+)/.exec(await box.innerText())![1]!;
    await page.locator(`tr[data-row-ref="key:${keyId}"]`).waitFor();
    expect(await page.locator(`tr[data-row-ref="key:${keyId}"] th`).textContent()).toBe('phone');
    expect(await page.getByText('No keys yet.').count()).toBe(0);
    // The key's underscores are drawn inside the field: its line box is taller than the font.
    const fits = await page.locator('#new-key-value').evaluate((el) => {
      const s = getComputedStyle(el);
      return parseFloat(s.lineHeight) >= parseFloat(s.fontSize) * 1.4;
    });
    expect(fits).toBe(true);
    expect(await overflow(), `wider than the screen: ${(await widest()).join(', ')}`).toBeLessThanOrEqual(0);
    expect(consoleErrors()).toEqual([]);
  });

  checkPages(signedInPages);
});
