import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { mailedToken } from '../support/mail.ts';

let portal: RunningPortal;
let browser: Browser;
const PASSWORD = 'a long enough password';

/** Signs up and confirms the address through the mailed link (groups an admin assigns need a confirmed address); returns the session. */
async function signUp(email: string): Promise<string> {
  const post = (route: string, body: unknown) =>
    fetch(`${portal.base}/api/v1${route}`, { method: 'POST', headers: { origin: portal.base, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post('/auth/signup', { email, password: PASSWORD })).status).toBe(202);
  const confirmed = await post('/auth/verify-email', { token: mailedToken(portal.dataDir, email), password: PASSWORD });
  expect(confirmed.status).toBe(200);
  return /portico_session=([^;]+)/.exec(confirmed.headers.get('set-cookie')!)![1]!;
}

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ PORTICO_ADMIN_EMAILS: 'platform@example.test' }), launchBrowser()]);
  // The admin puts Pat in the partners group; Nina stays in none.
  const admin = await signUp('platform@example.test');
  await signUp('pat@example.test');
  await signUp('nina@example.test');
  const { accounts } = await (await fetch(`${portal.base}/api/v1/admin/accounts`, { headers: { cookie: `portico_session=${admin}` } })).json();
  const pat = accounts.find((a: { email: string }) => a.email === 'pat@example.test');
  const set = await fetch(`${portal.base}/api/v1/admin/accounts/${pat.id}/groups`, {
    method: 'PUT',
    headers: { origin: portal.base, 'content-type': 'application/json', cookie: `portico_session=${admin}` },
    body: JSON.stringify({ groups: ['partners'] }),
  });
  expect(set.status).toBe(200);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function signInInBrowser(email: string) {
  const page = await browser.newPage();
  await page.context().clearCookies();
  await page.goto(`${portal.base}/account/sign-in/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${portal.base}/account/`);
  return page;
}

describe('group-restricted APIs', () => {
  it('are shown to members of the group, rendered by the server', async () => {
    const page = await signInInBrowser('pat@example.test');
    const res = await page.goto(`${portal.base}/apis/partner-rates/`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('h1').first().textContent()).toContain('Partner Rates');
    expect(res?.headers()['cache-control']).toBe('private, no-store');
    const firstOperation = page.locator('a[href*="/apis/partner-rates/"][href*="/operations/"]').first();
    const href = await firstOperation.getAttribute('href');
    const op = await page.goto(new URL(href!, portal.base).href);
    expect(op?.status()).toBe(200);
    expect(browser.errors).toEqual([]);
  });

  it('answer 404 to a signed-in person outside the group, and to anonymous visitors', async () => {
    const page = await signInInBrowser('nina@example.test');
    expect((await page.goto(`${portal.base}/apis/partner-rates/`))?.status()).toBe(404);
    await page.context().clearCookies();
    expect((await page.goto(`${portal.base}/apis/partner-rates/`))?.status()).toBe(404);
    // Chromium logs each 404 page it loads; those two are the answers this test asks for.
    const logged = `console error on ${portal.base}/apis/partner-rates/: Failed to load resource: the server responded with a status of 404 (Not Found)`;
    await expect.poll(() => browser.errors).toEqual([logged, logged]);
    browser.errors.length = 0;
    const anonymous = await fetch(`${portal.base}/apis/fleet-telemetry/`);
    expect(anonymous.status).toBe(404);
    expect(await anonymous.text()).not.toContain('Fleet');
  });

  it('leave the public API pages static and the same for everyone', async () => {
    const res = await fetch(`${portal.base}/apis/shipments/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Shipments');
  });
});
