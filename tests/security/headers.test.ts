import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSecurityHeaders } from '../../src/lib/http/security-headers.ts';
import { launchBrowser, type Browser } from '../support/browser.ts';
import { portalClient, type Answer } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * Security headers on every answer (issue 14): static pages, pages the server renders, JSON, files,
 * errors. A page's Content-Security-Policy allows its own inline scripts by hash and nothing else
 * inline; no page may be framed; pages about a person are never stored.
 */

let portal: RunningPortal;
let browser: Browser;
let framer: Server;
let framerBase = '';

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ PORTICO_ADMIN_EMAILS: 'admin@example.test' }), launchBrowser()]);
  // Another origin on loopback that tries to frame the portal (clickjacking).
  framer = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>framer</title><iframe id="victim" src="${portal.base}/account/sign-in/"></iframe>`),
  );
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  framerBase = `http://127.0.0.1:${(framer.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await new Promise((resolve) => framer?.close(resolve));
});

/** A file the build wrote into _astro/ with this ending. */
function builtAsset(ending: string): string {
  const dir = path.join(portal.dataDir, 'site', 'client', '_astro');
  const file = readdirSync(dir).find((f) => f.endsWith(ending));
  if (!file) throw new Error(`no ${ending} in ${dir}`);
  return `/_astro/${file}`;
}

function expectBaseHeaders(what: string, res: Answer): void {
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  expect(res.headers['content-security-policy'], what).toMatch(/frame-ancestors 'none'/);
  // The local portal is plain HTTP: no HSTS there (see the unit check below for HTTPS).
  expect(res.headers['strict-transport-security'], what).toBeUndefined();
}

describe('every answer', () => {
  it('carries nosniff, no framing, a referrer policy and a Content-Security-Policy, static or not, found or not', async () => {
    const anyone = portalClient(portal.base);
    const paths = [
      '/',
      '/apis/shipments/',
      '/apis/shipments/shipments-v2/operations/getShipment/',
      '/apis/shipments/shipments-v2/openapi.json',
      '/search/?q=parcel',
      '/account/sign-in/',
      '/api/v1/catalog',
      '/api/v1/me',
      '/healthz',
      '/no/such/page/',
      builtAsset('.css'),
      '/pagefind/pagefind-worker.js',
    ];
    for (const p of paths) expectBaseHeaders(p, await anyone.call('GET', p));
    expectBaseHeaders('a refused POST', await portalClient(portal.base, { origin: 'https://evil.example' }).call('POST', '/api/v1/auth/signin', {}));
  });

  it('gives pages a policy that allows their own inline scripts by hash, and no other inline script or eval', async () => {
    for (const p of ['/', '/apis/shipments/shipments-v2/operations/getShipment/', '/account/sign-in/']) {
      const res = await portalClient(portal.base).call('GET', p);
      const csp = String(res.headers['content-security-policy']);
      const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
      expect(scriptSrc, p).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(scriptSrc, p).toMatch(/'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp, p).toMatch(/object-src 'none'/);
      expect(csp, p).toMatch(/base-uri 'self'/);
    }
  });

  it('gives data (JSON, spec downloads) a policy that runs nothing', async () => {
    for (const p of ['/api/v1/catalog', '/apis/shipments/shipments-v2/openapi.json']) {
      expect((await portalClient(portal.base).call('GET', p)).headers['content-security-policy'], p).toMatch(/^default-src 'none'/);
    }
  });
});

describe('pages about a person', () => {
  it('are never stored: account, application and admin pages, and the JSON about the account', async () => {
    const admin = portalClient(portal.base);
    await signUpConfirmed(admin.call, portal.dataDir, 'admin@example.test', 'a long enough password');
    const app = await admin.call('POST', '/api/v1/applications', { name: 'Stored nowhere' });
    for (const p of ['/account/', `/account/applications/${app.body.application.id}/`, '/admin/', '/api/v1/me', '/api/v1/applications', '/account/sign-in/']) {
      expect((await admin.call('GET', p)).headers['cache-control'], p).toBe('no-store');
    }
  });
});

describe('in Chromium', () => {
  it('no other site can frame a portal page', async () => {
    const page = await browser.newPage();
    // 'load' waits for the frame too, whether it was shown or refused.
    await page.goto(framerBase, { waitUntil: 'load' });
    expect(await page.locator('#victim').count()).toBe(1);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    expect(frames).toHaveLength(1);
    // A refused frame never gets the portal's document: no sign-in form in it.
    expect(await frames[0]!.locator('input[name=password]').count()).toBe(0);
    // The refusal itself is the one console error this page may have.
    expect(browser.errors.every((e) => e.startsWith(`console error on ${framerBase}`) && /frame|ancestors|X-Frame-Options/i.test(e))).toBe(true);
    browser.errors.length = 0;
  });

  it('a portal page runs its own scripts under its policy, without a violation', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    for (const p of ['/', '/apis/shipments/shipments-v2/operations/getShipment/', '/search/?q=parcel', '/account/sign-in/']) {
      await page.goto(`${portal.base}${p}`);
      await page.waitForLoadState('networkidle');
    }
    // The dark-mode switch is an inline script: it ran, so its hash is in the policy.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toMatch(/^(light|dark)$/);
    expect(violations).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});

describe('HSTS', () => {
  it('is sent when the portal is reached over HTTPS, and only then', () => {
    expect(baseSecurityHeaders('https://developer.example.test')['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(baseSecurityHeaders('http://127.0.0.1:4321')['strict-transport-security']).toBeUndefined();
  });
});
