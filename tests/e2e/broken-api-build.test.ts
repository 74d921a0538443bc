import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// DESIGN.md section 3: one broken API never hides the others. The content is traefik-airlines as
// published (tests/fixtures/real/traefik-airlines), with the ConfigMap holding the tickets spec
// removed, and the employees' catalog item opened to everyone so that all four APIs would be public.
const airlines = path.resolve(import.meta.dirname, '../fixtures/real/traefik-airlines');
const temps: string[] = [];
let portal: RunningPortal;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  const content = tempDir('portico-airlines-content-');
  cpSync(airlines, content, { recursive: true });
  rmSync(path.join(content, 'apps/tickets/oas.yaml'));
  const item = path.join(content, 'catalog-items/airlines-employee.yaml');
  writeFileSync(item, readFileSync(item, 'utf8').replace('  groups:\n    - employees\n', '  everyone: true\n'));
  portal = await startPortal({ PORTICO_CONTENT_DIR: content, PORTICO_OFFLINE: '1', PORTICO_ADMIN_EMAILS: 'platform@example.test' });
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  temps.forEach((t) => rmSync(t, { recursive: true, force: true }));
});

describe('a content repository with one broken API and three good ones', () => {
  it('builds, and serves the pages of the three APIs that load', async () => {
    for (const [slug, title, operation] of [
      ['customers-api', 'Customers', 'getCustomers'],
      ['employees-api', 'Employee', 'getEmployees'],
      ['flights-api', 'Flights', 'gettFlights'],
    ]) {
      const res = await fetch(`${portal.base}/apis/${slug}/`);
      expect(res.status, slug).toBe(200);
      expect(await res.text()).toContain(title);
      const page = await fetch(`${portal.base}/apis/${slug}/${slug}/operations/${operation}/`);
      expect(page.status, `${slug} ${operation}`).toBe(200);
    }
    const home = await (await fetch(portal.base)).text();
    for (const title of ['Customers', 'Employee', 'Flights']) expect(home).toContain(`<h2>${title}</h2>`);
    expect(home).not.toContain('<h2>Tickets</h2>');
  });

  it('answers 404 for the broken one', async () => {
    expect((await fetch(`${portal.base}/apis/tickets-api/`)).status).toBe(404);
    expect((await fetch(`${portal.base}/apis/tickets-api/tickets-api/operations/getTickets/`)).status).toBe(404);
  });

  it('names the broken API and why in the build output', () => {
    const output = portal.output();
    expect(output).toContain('1 of 4 APIs is left out of the site, because of errors of their own; the other 3 are published:');
    // The file flux/management applies (api.yaml, not the api-tls.yaml variant): see decision 11.
    expect(output).toContain('API traefik-airlines/tickets-api (apis/tickets/api.yaml:3):');
    expect(output).toMatch(/apis\/tickets\/api\.yaml:9:11 API tickets-api: no file for openApiSpec\.path "\/openapi\.yaml"; .*no ConfigMap named tickets-openapi in namespace traefik-airlines/);
  });

  it('names the broken API and why in the admin area', async () => {
    const admin = portalClient(portal.base);
    await signUpConfirmed(admin.call, portal.dataDir, 'platform@example.test', 'a long enough password');
    const page = await admin.call('GET', '/admin/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('APIs left out (1)');
    expect(page.text).toMatch(/<strong>API traefik-airlines\/tickets-api<\/strong>/);
    expect(page.text).toContain('no ConfigMap named tickets-openapi in namespace traefik-airlines');
  });
});

describe('a content repository where no API loads', () => {
  it('stops the build and says why', async () => {
    const content = tempDir('portico-airlines-nothing-');
    cpSync(path.join(airlines, 'apis/tickets'), path.join(content, 'apis/tickets'), { recursive: true });
    await expect(startPortal({ PORTICO_CONTENT_DIR: content, PORTICO_OFFLINE: '1' }, 120_000)).rejects.toThrow(
      /the docs build failed: the content repository has \d+ errors \(listed above\) and no API loads/,
    );
  });
});
