import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { portalClient } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * Issue 16: the pages of a group-only API are rendered per request for members, from the same route
 * table as the static pages (src/lib/docs/routes.ts). Every link a member's view of the API shows
 * must answer, and every one of those addresses is a 404 for anyone outside the group.
 *
 * The content is the demo's, with a webhook added to Partner Rates (shown to the partners group
 * only), so that every kind of page an API version has is group-only here.
 */

const PASSWORD = 'a long enough password';
const API = '/apis/partner-rates/';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,*/*;q=0.8';

let portal: RunningPortal;
let contentDir: string;
let member: ReturnType<typeof portalClient>;
let outsider: ReturnType<typeof portalClient>;
const anonymous = () => portalClient(portal.base);
/** Every address the member's crawl reached, with its answer. */
const crawled = new Map<string, { status: number; type: string; text: string }>();
let spec: { paths: Record<string, Record<string, { operationId: string; summary?: string }>>; webhooks: Record<string, unknown> };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The operations of an OpenAPI document, in its order. */
function operationsOf(doc: typeof spec): Array<{ operationId: string; summary?: string }> {
  return Object.values(doc.paths).flatMap((item) => Object.entries(item).flatMap(([method, op]) => (METHODS.includes(method) ? [op] : [])));
}

/** The same-origin addresses an HTML page links to (href and src), without fragments, resolved against the page. */
function linksOf(html: string, pageUrl: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const url = new URL(m[1]!.replace(/&amp;/g, '&'), new URL(pageUrl, portal.base));
    if (url.origin === portal.base) found.push(url.pathname + url.search);
  }
  return found;
}

beforeAll(async () => {
  contentDir = mkdtempSync(path.join(tmpdir(), 'portico-member-pages-'));
  cpSync(path.join(projectRoot, 'content'), contentDir, { recursive: true });
  const specFile = path.join(contentDir, 'clusters/production/logistics/apis/partner-rates/openapi.json');
  const doc = JSON.parse(readFileSync(specFile, 'utf8'));
  doc.openapi = '3.1.0'; // webhooks are OpenAPI 3.1
  doc.webhooks = {
    'rateCard.updated': {
      post: {
        operationId: 'onRateCardUpdated',
        summary: 'Rate card updated',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/RateCard' } } } },
        responses: { '204': { description: 'Received' } },
      },
    },
  };
  writeFileSync(specFile, JSON.stringify(doc, null, 2));
  spec = doc;

  portal = await startPortal({ PORTICO_CONTENT_DIR: contentDir, PORTICO_OFFLINE: '1', PORTICO_ADMIN_EMAILS: 'platform@example.test' });
  const admin = portalClient(portal.base);
  await signUpConfirmed(admin.call, portal.dataDir, 'platform@example.test', PASSWORD);
  member = portalClient(portal.base);
  const pat = await signUpConfirmed(member.call, portal.dataDir, 'pat@example.test', PASSWORD);
  outsider = portalClient(portal.base);
  await signUpConfirmed(outsider.call, portal.dataDir, 'nina@example.test', PASSWORD);
  expect((await admin.call('PUT', `/api/v1/admin/accounts/${pat.id}/groups`, { groups: ['partners'] })).status).toBe(200);

  // The crawl: every page under the API is followed; other same-origin links are fetched once.
  const queue = [API];
  const queued = new Set(queue);
  while (queue.length > 0) {
    const url = queue.shift()!;
    const res = await member.call('GET', url, undefined, { accept: BROWSER_ACCEPT });
    const type = String(res.headers['content-type'] ?? '');
    crawled.set(url, { status: res.status, type, text: res.text });
    if (!url.startsWith(API) || !type.startsWith('text/html')) continue;
    for (const link of linksOf(res.text, url)) {
      if (queued.has(link)) continue;
      queued.add(link);
      queue.push(link);
    }
  }
}, 300_000);

afterAll(async () => {
  member?.close();
  outsider?.close();
  await portal?.stop();
  if (contentDir) rmSync(contentDir, { recursive: true, force: true });
});

describe("a member's view of a group-only API", () => {
  const apiPages = () => [...crawled.keys()].filter((u) => u.startsWith(API));

  it('answers every link it shows: pages, schema and webhook pages, downloads, Markdown twins and both consoles', () => {
    const broken = [...crawled].filter(([, r]) => r.status >= 400).map(([u, r]) => `${r.status} ${u}`);
    expect(broken).toEqual([]);
    const pages = apiPages();
    const v = `${API}partner-rates/`;
    for (const kind of [
      /\/operations\/[^/]+\/$/,
      /\/operations\/[^/]+\/index\.md$/,
      /\/schemas\/[^/]+\/$/,
      /\/webhooks\/[^/]+\/$/,
      /\/openapi\.json$/,
      /\/openapi\.yaml$/,
      /\/try\/$/,
      /\/swagger\/$/,
    ]) {
      expect(
        pages.filter((u) => u.startsWith(v) && kind.test(u)),
        String(kind),
      ).not.toEqual([]);
    }
    // Every operation of the spec was reached through the pages' links.
    for (const { operationId: id } of operationsOf(spec)) expect(crawled.get(`${v}operations/${id}/`)?.status, id).toBe(200);
    expect(crawled.get(`${v}webhooks/rateCard.updated/`)?.text).toContain('Rate card updated');
  });

  it('serves the files with their types, without the operations or caching a public file gets', () => {
    const v = `${API}partner-rates/`;
    const json = crawled.get(`${v}openapi.json`)!;
    expect(json.type).toMatch(/^application\/json/);
    const downloaded = JSON.parse(json.text);
    expect(Object.keys(downloaded.paths).sort()).toEqual(Object.keys(spec.paths).sort());
    expect(Object.keys(downloaded.webhooks)).toEqual(['rateCard.updated']);
    expect(crawled.get(`${v}openapi.yaml`)?.type).toMatch(/^application\/yaml/);
    const twin = [...crawled].find(([u]) => u.endsWith('/index.md'))!;
    expect(twin[1].type).toMatch(/^text\/markdown/);
  });

  it('is a 404 at every one of those addresses for a signed-in person outside the group, and for anyone not signed in', async () => {
    const pages = apiPages();
    expect(pages.length).toBeGreaterThan(20);
    const stranger = anonymous();
    for (const url of pages) {
      expect((await outsider.call('GET', url)).status, url).toBe(404);
      const res = await stranger.call('GET', url, undefined, { accept: BROWSER_ACCEPT });
      expect(res.status, url).toBe(404);
      expect(res.text, url).not.toContain('Partner Rates');
    }
    stranger.close();
  });
});

describe('the consoles of a group-only API', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    await browser.context.addCookies([{ name: 'portico_session', value: member.cookie().replace(/^portico_session=/, ''), url: portal.base }]);
  }, 60_000);
  afterAll(async () => browser?.close());

  it('load the spec for a member: Scalar', async () => {
    const page = await browser.newPage();
    expect((await page.goto(`${portal.base}${API}partner-rates/try/`))?.status()).toBe(200);
    await page.getByText(operationsOf(spec)[0]!.summary!).first().waitFor({ timeout: 20_000 });
    await page.close();
    expect(browser.errors).toEqual([]);
  });

  it('load the spec for a member: Swagger UI', async () => {
    const page = await browser.newPage();
    expect((await page.goto(`${portal.base}${API}partner-rates/swagger/`))?.status()).toBe(200);
    await page.locator('.opblock-summary').first().waitFor({ timeout: 20_000 });
    // One block per operation, and one per webhook (OpenAPI 3.1).
    expect(await page.locator('.opblock-summary').count()).toBe(operationsOf(spec).length + Object.keys(spec.webhooks).length);
    await page.close();
    expect(browser.errors).toEqual([]);
  });
});
