import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * The docs built from real GitOps repositories as they are published (issue 13):
 * traefik-airlines, read through its kustomizations, and the tyk-operator samples.
 */

const fixtures = path.resolve(import.meta.dirname, '../fixtures/real');
const PASSWORD = 'a long enough password';

describe('traefik-airlines as a whole repository', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ PORTICO_CONTENT_DIR: path.join(fixtures, 'traefik-airlines'), PORTICO_OFFLINE: '1', PORTICO_ADMIN_EMAILS: 'platform@example.test' });
  }, 180_000);
  afterAll(async () => portal?.stop());

  it('publishes the APIs its customers catalog item shows to everyone, every operation with a page', async () => {
    const anyone = portalClient(portal.base);
    for (const [api, operation] of [
      ['tickets-api', 'getTickets'],
      ['flights-api', 'gettFlights'],
    ]) {
      expect((await anyone.call('GET', `/apis/${api}/`)).status, api).toBe(200);
      expect((await anyone.call('GET', `/apis/${api}/${api}/operations/${operation}/`)).status, operation).toBe(200);
    }
    // Shown to the employees group only: not in the static site.
    for (const api of ['customers-api', 'employees-api']) expect((await anyone.call('GET', `/apis/${api}/`)).status, api).toBe(404);
  });

  it('renders the group-only APIs for members of the group', async () => {
    const admin = portalClient(portal.base);
    await signUpConfirmed(admin.call, portal.dataDir, 'platform@example.test', PASSWORD);
    const pilot = portalClient(portal.base);
    const account = await signUpConfirmed(pilot.call, portal.dataDir, 'pilot@example.test', PASSWORD);
    expect((await pilot.call('GET', '/apis/employees-api/')).status).toBe(404);
    expect((await admin.call('PUT', `/api/v1/admin/accounts/${account.id}/groups`, { groups: ['employees'] })).status).toBe(200);
    const page = await pilot.call('GET', '/apis/employees-api/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Employee');
    expect((await pilot.call('GET', '/apis/customers-api/customers-api/operations/getCustomers/')).status).toBe(200);
  });
});

describe('the tyk-operator samples', () => {
  let portal: RunningPortal;
  beforeAll(async () => {
    portal = await startPortal({ PORTICO_CONTENT_DIR: path.join(fixtures, 'tyk-operator'), PORTICO_OFFLINE: '1' });
  }, 180_000);
  afterAll(async () => portal?.stop());

  it('build, naming the samples left out for errors of their own', () => {
    expect(portal.output()).toMatch(/APIs? (is|are) left out of the site, because of errors of their own/);
  });

  it('show a versioned Tyk OAS API as one API with its versions', async () => {
    const page = await portalClient(portal.base).call('GET', '/apis/pets/');
    expect(page.status).toBe(200);
    for (const version of ['dogz-breeds', 'v1', 'bin']) expect(page.text).toContain(version);
  });

  it('publish a keyless API to everyone, saying no key is needed', async () => {
    const page = await portalClient(portal.base).call('GET', '/apis/analytics-plugin/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No key needed');
  });
});
