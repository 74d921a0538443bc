import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpInBrowser } from '../support/mail.ts';

let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('an account in Chromium', () => {
  it('signs up through the mailed link, sees itself in the header island of a static page, signs out and back in', async () => {
    const page = await browser.newPage();
    await signUpInBrowser(page, portal.base, portal.dataDir, 'grace@example.test', 'a long enough password');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your account');
    expect(await page.locator('dd').first().textContent()).toContain('grace@example.test (confirmed)');
    // Pages the server renders carry the portal's own name and logo, like the static ones.
    expect(await page.locator('header .brand').textContent()).toContain('Kestrel Developer Portal');
    expect(await page.locator('header .brand img').count()).toBe(1);
    expect(await page.title()).toBe('Your account · Kestrel Developer Portal');

    // The home page is static HTML; the header island is rendered per person by the server.
    await page.goto(`${portal.base}/`);
    await page.locator('[data-account-email="grace@example.test"]').waitFor();
    expect(await page.locator('.account-menu').textContent()).toContain('grace@example.test');

    await page.goto(`${portal.base}/account/`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${portal.base}/`);
    await page.locator('.account-menu a', { hasText: 'Sign in' }).waitFor();

    await page.goto(`${portal.base}/account/sign-in/`);
    expect(await page.title()).toBe('Sign in · Kestrel Developer Portal');
    await page.getByLabel('Email').fill('grace@example.test');
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email or the password is not right.');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${portal.base}/account/`);
    // Exactly one: Chromium's network log of the deliberate wrong-password attempt (a 401 is the
    // right answer to it). Any other console error or exception fails the test.
    expect(browser.errors).toEqual([`console error on ${portal.base}/account/sign-in/: Failed to load resource: the server responded with a status of 401 (Unauthorized)`]);
    browser.errors.length = 0;
  });

  it('sends someone who is not signed in from the account page to sign in, and back', async () => {
    const page = await browser.newPage();
    await page.context().clearCookies();
    await page.goto(`${portal.base}/account/`);
    expect(new URL(page.url()).pathname).toBe('/account/sign-in/');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account/');
  });
});
