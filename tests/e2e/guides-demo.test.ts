import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offersFor } from '../../src/lib/access/offers.ts';
import { tryItHref } from '../../src/lib/access/get-access.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { buildDocsSite } from '../../src/lib/docs/site.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { portalClient, until } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * The demo content's guides describe the product as it is: every name they set in bold (a menu,
 * a button, a field, a plan, an offer, an API) is on the portal's pages or in its catalog, and
 * every shell command of "Getting started" that calls the demo gateway, run as written with a real
 * key obtained through the portal's API, gets the answer the guide promises.
 */

const run = promisify(execFile);
const GUIDES = ['getting-started.md', 'rate-limits.md'].map((file) => ({ file, text: readFileSync(path.join(projectRoot, 'content/docs', file), 'utf8') }));
const EMAIL = 'guide-reader@example.test';
const PASSWORD = 'a long enough password';

/** The names a guide sets in bold, each once, whitespace collapsed. */
function boldNames(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim()))];
}

/** The shell blocks of a guide. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A page's text as a person reads it: tags out, entities decoded, whitespace collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

let catalog: Catalog;
let portal: RunningPortal;
let browser: Browser;
let gatewayPort: number;
let key: string;
/** The text of every page the guide walks through, signed out and signed in. */
const pages = new Map<string, string>();

/** Waits until HAProxy runs a commit that includes the branch as it is now (the key just granted). */
async function gatewayHasBranchTip(): Promise<void> {
  const gitops = path.join(portal.dataDir, 'gitops.git');
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' };
  const tip = execFileSync('git', ['rev-parse', 'main'], { cwd: gitops, encoding: 'utf8', env }).trim();
  await until(
    `the demo gateway to load ${tip.slice(0, 7)}`,
    async () => {
      const status = (await (await fetch(`${portal.base}/api/v1/gateway`)).json()) as { running: boolean; commit: string | null };
      if (!status.running || !status.commit) return undefined;
      execFileSync('git', ['merge-base', '--is-ancestor', tip, status.commit], { cwd: gitops, stdio: 'ignore', env });
      return true;
    },
    30,
  );
}

beforeAll(async () => {
  catalog = await loadCatalog(path.join(projectRoot, 'content'), { offline: true });
  [portal, browser] = await Promise.all([startPortal({ PORTICO_GIT_INTERVAL: '1' }), launchBrowser()]);
  gatewayPort = portal.gatewayPort;

  const visitor = portalClient(portal.base);
  const reader = portalClient(portal.base);
  const site = buildDocsSite(catalog);
  const shipments = site.apis.find((a) => a.api.title === 'Shipments')!;
  const starter = offersFor(catalog, []).find((o) => o.title === 'Starter access')!;
  const operation = tryItHref(site, shipments.api.key, starter.operationFilter)!;
  for (const address of ['/', shipments.href, operation.replace(/#.*/, ''), '/plans/', '/account/sign-up/', '/account/verify-email/?token=x.y']) {
    const answer = await visitor.call('GET', address);
    expect(answer.status, address).toBe(200);
    pages.set(address, textOf(answer.text));
  }

  // Signed in with the account the guide makes: the account page, the Get access step, and the
  // application's page with the Starter subscription and the new key's box.
  await signUpConfirmed(reader.call, portal.dataDir, EMAIL, PASSWORD);
  pages.set('/account/', textOf((await reader.call('GET', '/account/')).text));
  const app = await reader.call('POST', '/api/v1/applications', { name: 'webshop-production' });
  expect(app.status).toBe(201);
  const appId = app.body.application.id as string;
  pages.set('/account/get-access/', textOf((await reader.call('GET', `/account/get-access/?api=${encodeURIComponent(shipments.api.key)}`)).text));
  const subscribed = await reader.call('POST', `/api/v1/applications/${appId}/subscriptions`, { offer: starter.offer, plan: starter.plan.key });
  expect(subscribed.status, subscribed.text).toBe(201);
  const created = await reader.call('POST', `/api/v1/applications/${appId}/keys`, { title: 'laptop' });
  expect(created.status, created.text).toBe(201);
  key = created.body.key;
  expect(key).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
  pages.set('/account/applications/', textOf((await reader.call('GET', `/account/applications/${appId}/`)).text));
  await until(
    'the key to be active at the gateway',
    async () => {
      const { body } = await reader.call('GET', `/api/v1/applications/${appId}`);
      return body.application.keys[0].status === 'active' && body.application.subscriptions[0].status === 'active' ? true : undefined;
    },
    60,
  );
  await gatewayHasBranchTip();
  // The Try it console is drawn in the browser: its words are read there.
  const page = await browser.newPage();
  await page.goto(`${portal.base}${operation}`);
  await page.locator('details.try-it button.try-it-send').waitFor();
  pages.set('Try it console', (await page.locator('body').innerText()).replace(/\s+/g, ' '));
  expect(browser.errors).toEqual([]);
}, 200_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('the demo guides', () => {
  it.each(GUIDES)('$file names only menus, buttons, fields, plans and offers that exist', ({ text }) => {
    const names = boldNames(text);
    expect(names.length).toBeGreaterThan(3);
    const titles = new Set([...catalog.apis.map((a) => a.title), ...catalog.plans.map((p) => p.title), ...catalog.items.map((i) => i.title)]);
    const missing = names.filter((name) => !titles.has(name) && ![...pages.values()].some((page) => page.includes(name)));
    expect(missing, 'names in bold that no page or catalog title has').toEqual([]);
  });

  it('names the real plans and offers of the demo content', () => {
    const [gettingStarted, rateLimits] = GUIDES.map((g) => g.text) as [string, string];
    // Rate limits lists every plan of the portal, with its limits as the plans page says them.
    const plans = pages.get('/plans/')!;
    for (const plan of catalog.plans.filter((p) => p.id.namespace === 'logistics')) expect(rateLimits).toContain(`**${plan.title}**`);
    for (const offer of offersFor(catalog, [])) expect(plans).toContain(offer.plan.title);
    for (const offer of offersFor(catalog, ['partners'])) {
      const limits = offer.plan.limits.split(', ');
      const row = rateLimits.split('\n').find((line) => line.startsWith(`| **${offer.plan.title}** |`));
      expect(row, offer.plan.title).toBeDefined();
      for (const limit of limits) expect(row).toContain(limit);
      // Getting started shows every offer that includes Shipments.
      if (offer.apis.some((a) => a.title === 'Shipments')) expect(gettingStarted).toContain(`**${offer.title}**`);
    }
    expect(`${gettingStarted}\n${rateLimits}`).not.toMatch(/ptc_test_|RateLimit-Remaining|New application/);
  });

  it('runs every command of Getting started that calls the demo gateway, with a real key: the answers it promises', async () => {
    const calls = shellBlocks(GUIDES[0]!.text).filter((block) => block.includes('http://localhost:8080'));
    expect(calls.length).toBe(2);
    const statuses: number[] = [];
    for (const block of calls) {
      // As written, on this portal's gateway port, with the status code printed after the body.
      const command = block.replaceAll('http://localhost:8080', `http://localhost:${gatewayPort}`).replace(/^curl /, "curl -w '\\n%{http_code}' ");
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', command], { env: { ...process.env, KESTREL_API_KEY: key }, timeout: 15_000 });
      const lines = stdout.trimEnd().split('\n');
      statuses.push(Number(lines.pop()));
      expect(() => JSON.parse(lines.join('\n')), 'a JSON body').not.toThrow();
    }
    // "Both answer `200 OK` on the demo gateway."
    expect(GUIDES[0]!.text).toContain('Both answer `200 OK` on the demo gateway');
    expect(statuses).toEqual([200, 200]);
  }, 60_000);

  it('uses the key variable the guide exports, and a key without it is refused by the gateway', async () => {
    expect(shellBlocks(GUIDES[0]!.text).some((b) => b.startsWith('export KESTREL_API_KEY='))).toBe(true);
    const [list] = shellBlocks(GUIDES[0]!.text).filter((block) => block.includes('http://localhost:8080'));
    const command = list!.replaceAll('http://localhost:8080', `http://localhost:${gatewayPort}`).replace(/^curl /, "curl -o /dev/null -w '%{http_code}' ");
    const { stdout } = await run('bash', ['-c', command], { env: { ...process.env, KESTREL_API_KEY: 'paste your key here' }, timeout: 15_000 });
    expect(stdout).toBe('401');
  });
});
