import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/api.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { journeyOperation, type JourneyOperation } from '../support/journey-operation.ts';
import { freePort, projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpInBrowser } from '../support/mail.ts';

/*
 * A consumer's whole journey in Chromium, through the real HAProxy of `npm start`'s demo gateway:
 * sign up, create an application, subscribe it, create a key kept in the browser session, call an
 * operation from its page's Try it panel (200 from the demo upstream), revoke the key (401 in
 * words), then, with a fresh key, go over the plan's rate limit (429 in words, with the wait).
 * The gateway listens on a free port, not 8080: the demo content's servers follow it there.
 *
 * The content is the demo's, with one change: the Starter plan allows 3 requests per minute, not
 * 10 per second. Going over 10 in one second needs 11 requests answered within a second, which a
 * busy machine does not promise; 4 within a minute it does.
 */

const OFFER = 'logistics/public-starter';
const APP = 'Parcel tracker';

let portal: RunningPortal;
let browser: Browser;
let page: Page;
let gatewayPort: number;
let contentDir: string;

/** A copy of the demo content whose Starter plan is sized for this test: 3 requests per minute. */
function contentWithSlowStarter(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-journey-content-'));
  cpSync(path.join(projectRoot, 'content'), dir, { recursive: true });
  const plans = path.join(dir, 'clusters/production/logistics/plans.yaml');
  const demo = readFileSync(plans, 'utf8');
  const starter =
    'name: starter\n  namespace: logistics\nspec:\n  title: Starter\n  description: For trying the APIs and for small shops. 10 requests a second and 1,000 requests a day, free of charge.\n  rateLimit:\n    limit: 10\n    period: 1s\n';
  expect(demo, 'the demo Starter plan this test resizes').toContain(starter);
  writeFileSync(plans, demo.replace(starter, starter.replace('10 requests a second', '3 requests a minute').replace('limit: 10\n    period: 1s', 'limit: 3\n    period: 1m')));
  return dir;
}

/** The operation the journey calls, found in the catalog: a GET of an API the offer covers, whose 200 answer has an example. */
let operation: JourneyOperation;

const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

/** Is `commit` on the history of `tip`? */
function contains(tip: string, commit: string): boolean {
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', commit, tip], { cwd: path.join(portal.dataDir, 'gitops.git'), stdio: 'ignore', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until HAProxy runs a commit that includes the target branch as it is now (the grant the
 * page just showed as active, or its removal). The gateway reads the branch every second here.
 */
async function gatewayHasBranchTip(): Promise<void> {
  const tip = git('rev-parse', 'main');
  await until(
    `the demo gateway to load ${tip.slice(0, 7)}`,
    async () => {
      const status = (await (await fetch(`${portal.base}/api/v1/gateway`)).json()) as { running: boolean; commit: string | null };
      return status.running && status.commit && contains(status.commit, tip) ? true : undefined;
    },
    30,
  );
}

/** The status words in a subscription's or key's row, as a person reads them. */
const statusOf = (ref: string) =>
  page
    .locator(`[data-status-ref="${ref}"] .status`)
    .textContent({ timeout: 5000 })
    .catch(() => null);

/** A "Failed to load resource" line Chromium logs for an answer of this status, as tests/support/browser.ts records it. */
const failedLoad = (status: string) => `console error on ${portal.base}${operation.href}: Failed to load resource: the server responded with a status of ${status}`;

/** Creates a key on the application page, ticks "keep in this browser session", and returns it as shown once. */
async function createKeptKey(title: string): Promise<{ key: string; keyId: string }> {
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByRole('button', { name: 'Create key' }).click();
  const box = page.getByRole('region', { name: 'Your new key: copy it now' });
  await expect.poll(() => box.innerText(), { timeout: 15_000 }).toContain(`titled "${title}"`);
  const key = await box.getByLabel('API key').inputValue();
  expect(key).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
  const keyId = /Key id (\w+)/.exec(await box.innerText())![1]!;
  await box.getByLabel('Keep in this browser session so the Try it console can use it').check();
  return { key, keyId };
}

/**
 * Opens the operation's page in this tab (its session storage holds the kept keys) and its Try it
 * panel, and types the path parameters the spec gives no example value for, as a person would.
 */
async function openTryIt(): Promise<Locator> {
  await page.goto(`${portal.base}${operation.href}`);
  await page.locator('details.try-it > summary').click();
  const panel = page.locator('details.try-it');
  await panel.getByRole('button', { name: 'Send GET' }).waitFor();
  for (const [name, value] of Object.entries(operation.typed)) await panel.getByLabel(new RegExp(`^${name} path`)).fill(value);
  return panel;
}

/** Chooses the application in the panel once it has looked up the consumer's applications. */
async function chooseApplication(panel: Locator): Promise<void> {
  const application = panel.getByLabel('Application');
  await expect.poll(() => application.locator('option').allTextContents(), { timeout: 15_000 }).toEqual([`${APP} (plan Starter)`]);
  await application.selectOption({ label: `${APP} (plan Starter)` });
}

beforeAll(async () => {
  contentDir = contentWithSlowStarter();
  operation = await journeyOperation(OFFER, contentDir);
  expect(operation.server).toMatch(/^http:\/\/localhost:8080\//);
  expect(operation.rate).toEqual({ requests: 3, periodSeconds: 60 });

  gatewayPort = await freePort();
  [portal, browser] = await Promise.all([startPortal({ PORTICO_CONTENT_DIR: contentDir, PORTICO_GIT_INTERVAL: '1', PORTICO_GATEWAY_PORT: String(gatewayPort) }), launchBrowser()]);
  page = await browser.newPage();
}, 200_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  if (contentDir) rmSync(contentDir, { recursive: true, force: true });
});

describe('a consumer tries an API from its page, through the demo gateway of npm start', () => {
  const gatewayServer = () => operation.server.replace('http://localhost:8080', `http://localhost:${gatewayPort}`);
  let appId: string;
  let first: { key: string; keyId: string };

  it('runs the demo gateway on its own port, and the docs name that port', async () => {
    expect(portal.output()).toContain(`the demo gateway (HAProxy`);
    expect(portal.output()).toContain(`listens on http://localhost:${gatewayPort}`);
    const status = await (await fetch(`${portal.base}/api/v1/gateway`)).json();
    expect(status).toMatchObject({ running: true, url: `http://localhost:${gatewayPort}` });
    const html = await (await fetch(`${portal.base}${operation.href}`)).text();
    expect(html).toContain(gatewayServer());
    expect(html).not.toContain('localhost:8080');
  });

  it('signs up, creates an application and subscribes it to the Starter offer on its page', async () => {
    await signUpInBrowser(page, portal.base, portal.dataDir, 'journey@example.test', 'a long enough password');

    await page.getByLabel('Application name').fill(APP);
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL(/\/account\/applications\/app-[^/]+\/$/);
    appId = decodeURIComponent(new URL(page.url()).pathname.split('/')[3]!);
    expect(await page.locator('h1').textContent()).toBe(APP);

    const offers = await page.evaluate(async () => (await (await fetch('/api/v1/catalog')).json()).offers as Array<{ offer: string; title: string; approval: string }>);
    const starter = offers.find((o) => o.offer === OFFER)!;
    expect(starter.approval).toBe('instant');
    const card = page.locator('.offer-list .card', { has: page.getByRole('heading', { name: starter.title, exact: true }) });
    await card.getByRole('button', { name: `Subscribe to ${starter.title}` }).click();
    await page.locator('tr[data-row-ref^="sub:"]').waitFor();
    expect(browser.errors).toEqual([]);
  });

  it('creates a key kept in this browser session, and the page shows it becoming active', async () => {
    first = await createKeptKey('laptop');
    expect(JSON.parse((await page.evaluate((id) => sessionStorage.getItem(`portico.key.${id}`), appId))!)).toEqual(first);
    // The page follows the statuses itself, without a reload.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await expect.poll(() => statusOf(`key:${first.keyId}`), { timeout: 60_000, interval: 500 }).toBe('active');
    await expect.poll(() => page.locator('tr[data-row-ref^="sub:"] .status').textContent(), { timeout: 30_000 }).toBe('active');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await gatewayHasBranchTip();
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it("sends from the operation's Try it panel with the kept key: 200 from the demo upstream, through HAProxy", async () => {
    const panel = await openTryIt();
    expect(await panel.getByLabel('Server').inputValue()).toBe(gatewayServer());
    await chooseApplication(panel);
    expect(await panel.locator('.try-it-note').textContent()).toBe(`Using the key ${first.keyId} that this browser session keeps for ${APP}.`);
    expect(await panel.getByLabel('API key, sent in the header X-API-Key').inputValue()).toBe(first.key);
    await panel.getByRole('button', { name: 'Send GET' }).click();
    const answer = panel.getByRole('region', { name: 'Answer' });
    await answer.locator('.try-it-summary').waitFor();
    expect(await answer.locator('.try-it-summary').textContent()).toMatch(new RegExp(`^200 OK · \\d+ ms · \\d+ bytes · from ${gatewayServer().replace(/[.]/g, '\\.')}/`));
    expect(JSON.parse((await answer.locator('pre.try-it-body').textContent())!)).toEqual(operation.example);
    await answer.getByText(/^Headers \(\d+\)$/).click();
    expect(await answer.locator('table').innerText()).toMatch(/x-portico-demo\s+true/);
    expect(await answer.locator('.try-it-explain').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('revokes the key on the account page; the gateway then refuses it, and the panel says why in words', async () => {
    await page.goto(`${portal.base}/account/applications/${encodeURIComponent(appId)}/`);
    await page.getByRole('button', { name: 'Revoke the key laptop' }).click();
    await expect.poll(() => statusOf(`key:${first.keyId}`), { timeout: 60_000, interval: 500 }).toBe('revoked');
    await gatewayHasBranchTip();

    const panel = await openTryIt();
    await chooseApplication(panel);
    // Revoking forgot the copy this session kept; the consumer pastes the key they copied.
    expect(await panel.locator('.try-it-note').textContent()).toBe(
      `This browser holds no key for ${APP}. Paste one in the field above, or create one on your account page and tick “keep in this browser session”.`,
    );
    await panel.getByLabel('API key, sent in the header X-API-Key').fill(first.key);
    await panel.getByRole('button', { name: 'Send GET' }).click();
    const answer = panel.getByRole('region', { name: 'Answer' });
    await answer.locator('.try-it-summary').waitFor();
    expect(await answer.locator('.try-it-summary').textContent()).toMatch(/^401 Unauthorized · /);
    const words = await answer.locator('.try-it-explain').innerText();
    expect(words).toContain('The gateway does not accept this key (401): it is unknown to it. The key may be mistyped, revoked, suspended or expired');
    expect(words).toMatch(/The gateway says: \S/);
    // Chromium logs the 401 answer of the panel's request: that line, and nothing else.
    await expect.poll(() => browser.errors).toEqual([failedLoad('401 (Unauthorized)')]);
    browser.errors.length = 0;
  }, 120_000);

  it("with a fresh key, goes over the plan's rate limit: the panel shows the 429 in words, with the time to wait", async () => {
    await page.goto(`${portal.base}/account/applications/${encodeURIComponent(appId)}/`);
    const fresh = await createKeptKey('burst');
    await expect.poll(() => statusOf(`key:${fresh.keyId}`), { timeout: 60_000, interval: 500 }).toBe('active');
    await gatewayHasBranchTip();

    const panel = await openTryIt();
    await chooseApplication(panel);
    expect(await panel.getByLabel('API key, sent in the header X-API-Key').inputValue()).toBe(fresh.key);
    const target = /^curl -X GET '([^']+)'/.exec((await panel.locator('.try-it-curl pre').textContent())!)![1]!;
    expect(target.startsWith(`${gatewayServer()}/`)).toBe(true);
    const answer = panel.getByRole('region', { name: 'Answer' });

    // More requests than the plan allows in one period (a minute), through the relay as the panel
    // sends them, then the panel's Send: the gateway counts them all for this application.
    const burst = operation.rate.requests + 4;
    const statuses = await page.evaluate(
      async ({ target, key, burst }) => {
        const relayed = `/relay?url=${encodeURIComponent(target)}`;
        const answers = await Promise.all(
          Array.from({ length: burst }, () => fetch(relayed, { headers: { 'X-API-Key': key }, cache: 'no-store' }).then((r) => ({ status: r.status, fromGateway: r.headers.has('x-portico-relay') }))),
        );
        document.querySelector<HTMLButtonElement>('details.try-it button.try-it-send')!.click();
        return answers;
      },
      { target, key: fresh.key, burst },
    );
    // Every answer came from the gateway (not a refusal of the relay): 200 until the limit, then 429.
    expect(statuses.every((s) => s.fromGateway && (s.status === 200 || s.status === 429))).toBe(true);
    expect(statuses.filter((s) => s.status === 429).length).toBeGreaterThanOrEqual(burst - operation.rate.requests);
    await expect
      .poll(() =>
        answer
          .locator('.try-it-summary')
          .textContent()
          .catch(() => ''),
      )
      .toMatch(/^\d{3} /);
    const shown = (await answer.locator('.try-it-summary').textContent())!;
    expect(shown).toMatch(/^429 Too Many Requests · /);
    const failedAnswers = statuses.filter((s) => s.status === 429).length + 1;
    await answer.getByText(/^Headers \(\d+\)$/).click();
    const retryAfter = /retry-after\s+(\d+)/.exec(await answer.locator('table').innerText())?.[1];
    expect(retryAfter).toBe(String(operation.rate.periodSeconds));
    const words = await answer.locator('.try-it-explain').innerText();
    expect(words).toContain(`Over the plan's limit (429): retry after ${retryAfter} s. The plan Starter allows 3 requests per minute, 1,000 requests per day.`);
    expect(words).toContain('The gateway says: This application has used every request its plan allows for now.');
    // The only console lines are Chromium's, one for each 429 answer the page received.
    await expect.poll(() => browser.errors.length).toBe(failedAnswers);
    expect(browser.errors).toEqual(Array.from({ length: failedAnswers }, () => failedLoad('429 (Too Many Requests)')));
    browser.errors.length = 0;
  }, 150_000);
});
