import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { freePort, projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { committedKeysMap } from '../support/git-history.ts';

// The demo content, with the Shipments and Tracking servers moved to a gateway of this test's own
// on a free port (allowed for the relay). Warehouses is moved to another loopback port, which the
// relay is not allowed to call here: its refusal is what one test shows. The servers left on
// localhost:8080 follow the portal's demo gateway to its own port.
let portal: RunningPortal;
let browser: Browser;
let gateway: Server;
let gatewayPort: number;
let demoGatewayPort: number;
let refusedPort: number;
let content: string;
const seenByGateway: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const problem = (status: number, detail: string) => JSON.stringify({ type: 'about:blank', title: status === 401 ? 'Unauthorized' : 'Too Many Requests', status, detail });

/**
 * A gateway standing in for the demo HAProxy: it knows the keys the portal committed to its Git
 * repository (consumers/haproxy/keys.map, a SHA-256 per key), answers 401 for any other key, and
 * 429 for the shipment id `over-the-limit`.
 */
function startGateway(): Promise<void> {
  gateway = createServer((req, res) => {
    seenByGateway.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => {
      const key = req.headers['x-api-key'];
      const consumers = new Map(committedKeys().map(([hash, app]) => [hash, app]));
      const consumer = typeof key === 'string' ? consumers.get(sha256(key)) : undefined;
      if (!consumer) {
        res.writeHead(401, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer realm="test"' }).end(problem(401, 'This key is unknown, revoked, suspended or expired.'));
      } else if (req.url!.includes('over-the-limit')) {
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' }).end(problem(429, 'This application has used every request its plan allows for now.'));
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-gateway': 'test' }).end(JSON.stringify({ gateway: 'test', consumer, method: req.method, url: req.url }));
      }
    });
  });
  return new Promise((resolve) => gateway.listen(gatewayPort, '127.0.0.1', resolve));
}

/** The key hashes and key ids of the HAProxy map committed on the target branch. */
const committedKeys = () => committedKeysMap(path.join(portal.dataDir, 'gitops.git'));

/** A consumer of the portal's API, with its own session. */
class Consumer {
  cookie = '';
  async api(method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
    const res = await fetch(`${portal.base}/api/v1${route}`, {
      method,
      headers: { origin: portal.base, cookie: this.cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set?.startsWith('portico_session=')) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }
  static async signUp(email: string): Promise<Consumer> {
    const consumer = new Consumer();
    await signUpConfirmed((method, route, body) => consumer.api(method, route, body), portal.dataDir, email, 'a long enough password', '');
    return consumer;
  }
  /** Signs the browser in as this consumer (and nobody else). */
  async signInBrowser(): Promise<void> {
    await browser.context.clearCookies();
    const [name, value] = this.cookie.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: portal.base }]);
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Every request the page makes to an origin other than the portal's. */
function watchOrigins(page: Page): string[] {
  const foreign: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== portal.base) foreign.push(request.url());
  });
  return foreign;
}

async function openTryIt(page: Page, operationPath: string) {
  await page.goto(`${portal.base}${operationPath}`);
  await page.locator('details.try-it > summary').click();
  const panel = page.locator('details.try-it');
  await panel.getByRole('button', { name: /^Send / }).waitFor();
  return panel;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical axe-core violations on the page, as `rule: target` lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol: the page's Content-Security-Policy rightly refuses an injected inline script.
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () =>
    (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(),
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const failed = (pathname: string, status: string) => `console error on ${portal.base}${pathname}: Failed to load resource: the server responded with a status of ${status}`;

beforeAll(async () => {
  [gatewayPort, demoGatewayPort, refusedPort] = [await freePort(), await freePort(), await freePort()];
  content = mkdtempSync(path.join(tmpdir(), 'portico-try-it-content-'));
  cpSync(path.join(projectRoot, 'content'), content, { recursive: true });
  const apis = path.join(content, 'clusters/production/logistics/apis');
  const moveServers = (file: string, to: string) => {
    const full = path.join(apis, file);
    writeFileSync(full, readFileSync(full, 'utf8').replaceAll('http://localhost:8080', to));
  };
  for (const file of ['shipments/shipments-v1/openapi.yaml', 'shipments/shipments-v2/openapi.yaml', 'tracking/api.yaml']) moveServers(file, `http://127.0.0.1:${gatewayPort}`);
  moveServers('warehouses/openapi.yaml', `http://localhost:${refusedPort}`);
  [portal, browser] = await Promise.all([
    startPortal({
      PORTICO_CONTENT_DIR: content,
      PORTICO_RELAY_ALLOW: `127.0.0.1:${gatewayPort}`,
      PORTICO_GATEWAY_PORT: String(demoGatewayPort),
      PORTICO_GIT_INTERVAL: '1',
      PORTICO_OFFLINE: '1',
      PORTICO_ADMIN_EMAILS: 'platform@example.test',
    }),
    launchBrowser(),
  ]);
  await startGateway();
}, 200_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await new Promise((resolve) => (gateway ? gateway.close(resolve) : resolve(undefined)));
  rmSync(content, { recursive: true, force: true });
});

describe('the Try it panel of an operation page', () => {
  const getShipment = '/apis/shipments/shipments-v2/operations/getShipment/';

  it('loads only when opened: the first paint carries the loaders alone', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await page.goto(`${portal.base}${getShipment}`);
    await page.waitForLoadState('networkidle');
    // Two loaders, the search dialog's and Try it's, and Vite's helper for their dynamic imports: the
    // consoles themselves come only when asked for.
    expect(scripts.map((s) => s.replace(/\.[\w-]+\.js$/, '.js')).sort()).toEqual([
      '/_astro/SearchLauncher.astro_astro_type_script_index_0_lang.js',
      '/_astro/TryIt.astro_astro_type_script_index_0_lang.js',
      '/_astro/preload-helper.js',
    ]);
    await page.locator('details.try-it > summary').click();
    await page.getByRole('button', { name: 'Send GET' }).waitFor();
    expect(scripts.length).toBeGreaterThan(1);
    expect(browser.errors).toEqual([]);
  });

  it('lets a visitor paste a key, asks them to sign in to use theirs, and explains the gateway 401', async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    const panel = await openTryIt(page, getShipment);
    await expect.poll(() => panel.getByRole('status').first().textContent()).toContain('Sign in to use your key.');
    const signIn = await panel.getByRole('link', { name: 'Sign in' }).getAttribute('href');
    expect(signIn).toBe(`/account/sign-in/?next=${encodeURIComponent(`${getShipment}#try-it`)}`);
    expect(await panel.getByLabel('Server').inputValue()).toBe(`http://127.0.0.1:${gatewayPort}/shipments/v2`);
    // Pre-filled from the spec's example.
    const shipmentId = await panel.getByLabel(/^shipmentId/).inputValue();
    expect(shipmentId).not.toBe('');

    const pasted = `pasted-${Date.now()}`;
    await panel.getByLabel('API key, sent in the header X-API-Key').fill(pasted);
    const curl = await panel.locator('.try-it-curl pre').textContent();
    expect(curl).toBe(`curl -X GET 'http://127.0.0.1:${gatewayPort}/shipments/v2/shipments/${encodeURIComponent(shipmentId)}' \\\n  -H "X-API-Key: $API_KEY"`);
    await panel.getByRole('button', { name: 'Send GET' }).click();
    const answer = panel.getByRole('region', { name: 'Answer' });
    await answer.locator('.try-it-summary').waitFor();
    expect(await answer.locator('.try-it-summary').textContent()).toMatch(/^401 Unauthorized · \d+ ms · \d+ bytes · from http:\/\/127\.0\.0\.1:\d+\/shipments\/v2\/shipments\//);
    const words = await answer.locator('.try-it-explain').innerText();
    expect(words).toContain('The gateway does not accept this key (401): it is unknown to it.');
    expect(words).toContain('The gateway says: This key is unknown, revoked, suspended or expired.');
    // The gateway got the pasted key, and nothing of the portal's.
    const last = seenByGateway.at(-1)!;
    expect(last.headers['x-api-key']).toBe(pasted);
    expect(last.headers.cookie).toBeUndefined();
    expect(browser.errors).toEqual([failed(getShipment, '401 (Unauthorized)')]);
    browser.errors.length = 0;
  });

  it('tells a consumer without a subscription which plan to subscribe to', async () => {
    const consumer = await Consumer.signUp('no-subscription@example.test');
    expect((await consumer.api('POST', '/applications', { name: 'Idle app' })).status).toBe(201);
    await consumer.signInBrowser();
    const page = await browser.newPage();
    const panel = await openTryIt(page, getShipment);
    const status = panel.locator('.try-it-access');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('None of your applications is subscribed to Shipments.');
    expect(await status.textContent()).toMatch(/Subscribe one to the plan Starter \(10 requests per second, 1,000 requests per day\)( or the plan [^.]+)? on your account page/);
    expect(await status.getByRole('link', { name: 'your account page' }).getAttribute('href')).toBe('/account/');
    // No application to choose; it can still paste a key.
    expect(await panel.getByLabel('Application').isVisible()).toBe(false);
    await panel.getByLabel('API key, sent in the header X-API-Key').waitFor();
    expect(browser.errors).toEqual([]);
  });

  it("works on a group-only API's pages, which the server renders per request", async () => {
    const admin = await Consumer.signUp('platform@example.test');
    const partner = await Consumer.signUp('partner@example.test');
    const { accounts } = (await admin.api('GET', '/admin/accounts')).body as { accounts: Array<{ id: string; email: string }> };
    const id = accounts.find((a) => a.email === 'partner@example.test')!.id;
    expect((await admin.api('PUT', `/admin/accounts/${id}/groups`, { groups: ['partners'] })).status).toBe(200);
    await partner.signInBrowser();
    const page = await browser.newPage();
    await page.goto(`${portal.base}/apis/partner-rates/`);
    const href = (await page.locator('main a[href*="/apis/partner-rates/"][href*="/operations/"]').first().getAttribute('href'))!;
    const panel = await openTryIt(page, href);
    expect(await panel.getByLabel('Server').inputValue()).toBe(`http://localhost:${demoGatewayPort}/partner-rates`);
    await expect
      .poll(() => panel.locator('.try-it-access').textContent(), { timeout: 15_000 })
      .toBe(
        'You have no application yet. On your account page, create one, subscribe it to the plan Partner Unlimited (1,000 requests per second), then create a key and tick “keep in this browser session”. Paste a key below: it goes only to this API, through the portal, and is kept nowhere.',
      );
    expect(browser.errors).toEqual([]);
  });

  describe('with a subscribed application whose key this browser session keeps', () => {
    let consumer: Consumer;
    let appId: string;
    let key: string;
    let keyId: string;

    beforeAll(async () => {
      consumer = await Consumer.signUp('widget-maker@example.test');
      appId = (await consumer.api('POST', '/applications', { name: 'Tracking widget' })).body.application.id;
      expect((await consumer.api('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/public-starter' })).status).toBe(201);
      const created = await consumer.api('POST', `/applications/${appId}/keys`, { title: 'try-it' });
      expect(created.status).toBe(201);
      ({ key, keyId } = created.body as { key: string; keyId: string });
      // The gateway knows the key once its commit is on the branch, and the portal says it is active.
      await until('the key to be committed and active', async () => {
        const app = (await consumer.api('GET', `/applications/${appId}`)).body.application;
        return app.keys[0].status === 'active' && app.subscriptions[0].status === 'active' && committedKeys().some(([hash]) => hash === sha256(key)) ? true : undefined;
      });
      await consumer.signInBrowser();
    }, 90_000);

    /** A page whose tab keeps the key in sessionStorage, as the account page does when asked. */
    async function pageWithKeptKey(): Promise<Page> {
      const page = await browser.newPage();
      await page.goto(`${portal.base}/plans/`);
      await page.evaluate(([name, value]) => sessionStorage.setItem(name!, value!), [`portico.key.${appId}`, JSON.stringify({ keyId, key })]);
      return page;
    }

    it('picks the application, fills in its key, sends, and shows the gateway answer with status, headers, timing and curl', async () => {
      const page = await pageWithKeptKey();
      const foreign = watchOrigins(page);
      const panel = await openTryIt(page, getShipment);
      const application = panel.getByLabel('Application');
      await expect.poll(() => application.locator('option').allTextContents(), { timeout: 15_000 }).toEqual(['Tracking widget (plan Starter)']);
      await application.selectOption({ label: 'Tracking widget (plan Starter)' });
      expect(await panel.locator('.try-it-note').textContent()).toBe(`Using the key ${keyId} that this browser session keeps for Tracking widget.`);
      expect(await panel.getByLabel('API key, sent in the header X-API-Key').inputValue()).toBe(key);
      await panel.getByLabel(/^shipmentId/).fill('SHP-42');

      const curl = await panel.locator('.try-it-curl pre').textContent();
      expect(curl).toBe(`curl -X GET 'http://127.0.0.1:${gatewayPort}/shipments/v2/shipments/SHP-42' \\\n  -H "X-API-Key: $API_KEY"`);
      expect(curl).not.toContain(key);

      await panel.getByRole('button', { name: 'Send GET' }).click();
      const answer = panel.getByRole('region', { name: 'Answer' });
      await answer.locator('.try-it-summary').waitFor();
      expect(await answer.locator('.try-it-summary').textContent()).toMatch(new RegExp(`^200 OK · \\d+ ms · \\d+ bytes · from http://127\\.0\\.0\\.1:${gatewayPort}/shipments/v2/shipments/SHP-42$`));
      expect(JSON.parse((await answer.locator('pre.try-it-body').textContent())!)).toEqual({ gateway: 'test', consumer: appId, method: 'GET', url: '/shipments/v2/shipments/SHP-42' });
      // Pretty-printed.
      expect(await answer.locator('pre.try-it-body').textContent()).toContain('\n  "consumer": ');
      await answer.getByText(/^Headers \(\d+\)$/).click();
      expect(await answer.locator('table').innerText()).toMatch(/x-gateway\s+test/);
      expect(await answer.locator('.try-it-explain').count()).toBe(0);
      expect(seenByGateway.at(-1)!.headers['x-api-key']).toBe(key);
      expect(await seriousViolations(page)).toEqual([]);
      expect(foreign).toEqual([]);
      expect(browser.errors).toEqual([]);
    });

    it("explains a 429 with the plan's limits and when to retry", async () => {
      const page = await pageWithKeptKey();
      const panel = await openTryIt(page, getShipment);
      await expect.poll(() => panel.getByLabel('Application').locator('option').count(), { timeout: 15_000 }).toBe(1);
      await panel.getByLabel(/^shipmentId/).fill('over-the-limit');
      await panel.getByRole('button', { name: 'Send GET' }).click();
      const explain = panel.getByRole('region', { name: 'Answer' }).locator('.try-it-explain');
      await expect.poll(() => explain.innerText()).toContain("Over the plan's limit (429): retry after 7 s. The plan Starter allows 10 requests per second, 1,000 requests per day.");
      expect(browser.errors).toEqual([failed(getShipment, '429 (Too Many Requests)')]);
      browser.errors.length = 0;
    });

    it('says in plain words when the relay refuses a host', async () => {
      const page = await pageWithKeptKey();
      // The Warehouses API declares a loopback address this portal may not call.
      const panel = await openTryIt(page, '/apis/warehouses/warehouses/operations/listSites/');
      expect(await panel.getByLabel('Server').inputValue()).toBe(`http://localhost:${refusedPort}/warehouses`);
      await panel.getByLabel(/^API key/).fill('any-key');
      await panel.getByRole('button', { name: 'Send GET' }).click();
      const explain = panel.getByRole('region', { name: 'Answer' }).locator('.try-it-explain');
      await expect.poll(() => explain.innerText()).toContain('The portal did not send the request: this host is not allowed.');
      expect(await explain.innerText()).toMatch(
        new RegExp(`localhost resolves to \\S+, a private or loopback address; the portal does not call those unless an admin allows localhost:${refusedPort}\\.`),
      );
      expect(browser.errors).toEqual([failed('/apis/warehouses/warehouses/operations/listSites/', '403 (Forbidden)')]);
      browser.errors.length = 0;
    });

    it("sends Scalar's requests through the relay, with the kept key, and calls no other host", async () => {
      const page = await pageWithKeptKey();
      const foreign = watchOrigins(page);
      await page.goto(`${portal.base}/apis/shipments/shipments-v2/try/`);
      await expect.poll(() => page.locator('[data-console-key]').textContent(), { timeout: 15_000 }).toBe(`Using the key ${keyId} that this browser session keeps for Tracking widget.`);
      await page
        .getByRole('button', { name: /^Test Request/ })
        .first()
        .click();
      const relayed = page.waitForResponse((r) => new URL(r.url()).pathname === '/relay');
      await page.getByRole('button', { name: /^Send get request to/ }).click();
      const response = await relayed;
      // Scalar's proxyUrl sends the target as ?scalar_url=, which the relay reads.
      expect(new URL(response.url()).searchParams.get('scalar_url')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${gatewayPort}/shipments/v2/shipments\\?`));
      expect(response.request().headers()['x-api-key']).toBe(key);
      expect(response.status()).toBe(200);
      expect((await response.json()).consumer).toBe(appId);
      // The cookie parameter Scalar fills in reaches the API as a cookie; the portal's session does not.
      expect(seenByGateway.at(-1)!.headers.cookie).toBe('kestrel_locale=en');
      expect(foreign).toEqual([]);
      expect(browser.errors).toEqual([]);
    });

    it("sends Swagger UI's requests through the relay, with the kept key, and calls no other host", async () => {
      const page = await pageWithKeptKey();
      const foreign = watchOrigins(page);
      await page.goto(`${portal.base}/apis/shipments/shipments-v2/swagger/`);
      await expect.poll(() => page.locator('[data-console-key]').textContent(), { timeout: 15_000 }).toBe(`Using the key ${keyId} that this browser session keeps for Tracking widget.`);
      await page.locator('.opblock-summary', { hasText: '/shipments/{shipmentId}' }).first().click();
      await page.getByRole('button', { name: 'Try it out' }).click();
      await page.locator('input[placeholder="shipmentId"]').fill('SHP-0000000042');
      const relayed = page.waitForResponse((r) => new URL(r.url()).pathname === '/relay');
      await page.getByRole('button', { name: 'Execute' }).click();
      const response = await relayed;
      expect(new URL(response.url()).searchParams.get('url')).toBe(`http://127.0.0.1:${gatewayPort}/shipments/v2/shipments/SHP-0000000042`);
      expect(response.request().headers()['x-api-key']).toBe(key);
      expect(response.status()).toBe(200);
      // Swagger UI shows the API's own address, and the answer.
      await page.locator('.request-url pre').waitFor();
      expect(await page.locator('.request-url pre').textContent()).toBe(`http://127.0.0.1:${gatewayPort}/shipments/v2/shipments/SHP-0000000042`);
      expect(await page.locator('.live-responses-table tbody .response-col_status').first().textContent()).toBe('200');
      expect(foreign).toEqual([]);
      expect(browser.errors).toEqual([]);
    });
  });
});
