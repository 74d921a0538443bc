import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { until } from '../support/http-client.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// The operation page of issue 15: two panes at 1366 px (text left, sticky code panel right) with
// request samples in eight languages, tabs and copy buttons; one column at 360 px, code after text.

let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
}, 160_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

const PAGE = '/apis/shipments/shipments-v2/operations/createShipment/';

describe('the operation page code panel', () => {
  it('at 1366 px: a sticky panel beside the text, eight language tabs that switch, a copy button that copies', async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.base });
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${portal.base}${PAGE}`);

    const tabs = page.locator('[role=tablist][data-tabs=lang] [role=tab]');
    expect(await tabs.allTextContents()).toEqual(['curl', 'JavaScript', 'Python', 'Go', 'Java', 'C#', 'PHP', 'Ruby']);
    const text = (await page.locator('.op-text').boundingBox())!;
    const panel = page.locator('.op-code-sticky');
    expect((await panel.boundingBox())!.x).toBeGreaterThanOrEqual(text.x + text.width);

    // Highlighted at build time: token spans in the served HTML, and the sample is a real request.
    expect(await page.locator('#sample-curl code .s').count()).toBeGreaterThan(0);
    expect(await page.locator('#sample-curl code').textContent()).toMatch(/^curl -X POST /);

    // Sticky: far down the page, at the responses, the panel is still in view.
    await page.evaluate(() => window.scrollTo(0, document.getElementById('responses')!.getBoundingClientRect().top + window.scrollY));
    await until('the page to scroll', async () => ((await page.evaluate(() => window.scrollY)) > 1000 ? true : undefined));
    const box = (await panel.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(900);
    expect(await panel.isVisible()).toBe(true);
    await page.screenshot({ path: `${process.env.PORTICO_SCREENSHOTS ?? '/tmp'}/operation-1366.png` });

    // Tabs: click, and the arrow keys of the WAI-ARIA pattern.
    await page.getByRole('tab', { name: 'Python' }).click();
    expect(await page.locator('#sample-python').isVisible()).toBe(true);
    expect(await page.locator('#sample-curl').isHidden()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Python' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#sample-go').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sample-tab-go');
    await page.keyboard.press('End');
    expect(await page.locator('#sample-ruby').isVisible()).toBe(true);

    // Copy: the clipboard holds the Ruby sample, as shown.
    const shown = await page.locator('#sample-ruby code').textContent();
    expect(shown).toContain("require 'net/http'");
    await page.locator('#sample-ruby button.copy').click();
    await until('the button to say it copied', async () => ((await page.locator('#sample-ruby button.copy').getAttribute('data-copied')) === 'Copied' ? true : undefined));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);

    // The chosen language is remembered on the next operation page.
    await page.goto(`${portal.base}/apis/shipments/shipments-v2/operations/getShipment/`);
    expect(await page.locator('#sample-ruby').isVisible()).toBe(true);
    expect(await page.locator('#sample-curl').isHidden()).toBe(true);
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('responses are collapsed by status with the first success open, and the example panel follows the status opened', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${portal.base}${PAGE}`);
    const statuses = await page.locator('details.response').evaluateAll((ds) => ds.map((d) => [(d as HTMLElement).dataset.status, (d as HTMLDetailsElement).open]));
    const firstSuccess = statuses.find(([s]) => /^2/.test(String(s)))![0];
    expect(statuses.filter(([, open]) => open)).toEqual([[firstSuccess, true]]);
    expect(await page.locator(`#example-${firstSuccess}`).isVisible()).toBe(true);

    const other = await page.locator('[data-tabs=status] [role=tab]').evaluateAll((ts) => ts.map((t) => t.textContent!).filter((s) => !/^2/.test(s)));
    expect(other.length).toBeGreaterThan(0);
    await page.locator(`details.response[data-status="${other[0]}"] > summary`).click();
    await until('the example of the opened status', async () => ((await page.locator(`#example-${other[0]}`).isVisible()) ? true : undefined));
    expect(await page.locator(`#example-${firstSuccess}`).isHidden()).toBe(true);

    // Dark theme: the token colours change with the theme switch.
    const stringColour = () =>
      page
        .locator('#sample-curl code .s')
        .first()
        .evaluate((el) => getComputedStyle(el).color);
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    const light = await stringColour();
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    expect(await stringColour()).not.toBe(light);
    expect(browser.errors).toEqual([]);
    await page.close();
  });

  it('at 360 px: one column, the code after the text, nothing wider than the screen', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`${portal.base}${PAGE}`);
    const text = (await page.locator('.op-text').boundingBox())!;
    const code = (await page.locator('.op-code').boundingBox())!;
    expect(code.y).toBeGreaterThanOrEqual(text.y + text.height);
    expect(code.width).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: `${process.env.PORTICO_SCREENSHOTS ?? '/tmp'}/operation-360.png`, fullPage: true });
    expect(browser.errors).toEqual([]);
    await page.close();
  });
});
