import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys } from '../../db/schema.ts';
import { hashPassword } from '../../src/lib/auth/passwords.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { portalClient } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * 500 people sign in and ask for a key at the same moment, against one portal. Every request
 * succeeds, none gets a 5xx, and the portal's resident memory stays within a documented bound.
 *
 * The accounts are distinct, so the per-account sign-in limit never applies. The per-IP limit
 * (30 sign-in attempts per address per 15 minutes, src/lib/auth/accounts.ts DEFAULT_POLICY) has no
 * setting to lift it, so the clients come from 50 loopback addresses, 10 accounts each: Linux
 * routes all of 127.0.0.0/8 to the loopback interface.
 */

const PEOPLE = 500;
const ADDRESSES = 50;
const PASSWORD = 'a long enough password';
/**
 * The memory bound, over the resident size measured after a warm-up: the argon2 pool (4 threads x
 * 19 MiB, src/lib/auth/passwords.ts), 500 open connections with their buffers, and V8 heap growth
 * under load. A leak of even 100 KiB per request (150 MiB over 1,500 requests) would cross it.
 */
const MAX_GROWTH_MIB = 250;

/** A small content repository (one API, one offer): the docs build at start-up takes half the demo's time. */
const CONTENT = path.join(projectRoot, 'tests/fixtures/catalog/hub-basic');
let database: TestDatabase;
let portal: RunningPortal;

function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)\s*kB/.exec(line)![1]) / 1024;
}

beforeAll(async () => {
  database = await freshPostgres();
  // The accounts exist already, confirmed (sign-up is not what this test measures); one argon2 hash serves all, as each verifies on its own.
  const passwordHash = await hashPassword(PASSWORD);
  await database.db.insert(accounts).values(Array.from({ length: PEOPLE + 1 }, (_, i) => ({ id: generateSecureRandomString(), email: `person-${i}@example.test`, emailVerified: true, passwordHash })));
  portal = await startPortal({ PORTICO_CONTENT_DIR: CONTENT, DATABASE_URL: database.url!, PORTICO_GIT_INTERVAL: '5' });
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await database?.close();
});

describe(`${PEOPLE} people signing in and asking for a key at once`, () => {
  it('all succeed, none gets a 5xx, and the memory stays bounded', async () => {
    // Warm-up: the first sign-in and key request load the code paths and pools a steady state has.
    const warm = portalClient(portal.base, { localAddress: '127.0.2.1' });
    expect((await warm.call('POST', '/api/v1/auth/signin', { email: `person-${PEOPLE}@example.test`, password: PASSWORD })).status).toBe(200);
    const warmApp = await warm.call('POST', '/api/v1/applications', { name: 'Warm-up' });
    expect((await warm.call('POST', `/api/v1/applications/${warmApp.body.application.id}/keys`, { title: 'warm-up' })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = residentMiB(portal.pid);

    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, residentMiB(portal.pid))), 100);
    const outcomes: string[] = [];
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: PEOPLE }, async (_, i) => {
          const client = portalClient(portal.base, { localAddress: `127.0.1.${1 + (i % ADDRESSES)}` });
          const step = async (what: string, call: () => ReturnType<typeof client.call>, expected: number) => {
            const res = await call().catch((err: Error) => ({ status: 0, text: err.message, body: undefined, headers: {} }));
            outcomes.push(res.status === expected ? 'ok' : `${what} of person ${i}: ${res.status} ${res.text.slice(0, 160)}`);
            return res;
          };
          const signin = await step('sign-in', () => client.call('POST', '/api/v1/auth/signin', { email: `person-${i}@example.test`, password: PASSWORD }), 200);
          if (signin.status !== 200) return;
          const app = await step('application', () => client.call('POST', '/api/v1/applications', { name: `Load ${i}` }), 201);
          if (app.status !== 201) return;
          await step('key', () => client.call('POST', `/api/v1/applications/${app.body.application.id}/keys`, { title: 'under load' }), 201);
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const after = residentMiB(portal.pid);

    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    expect(outcomes).toHaveLength(PEOPLE * 3);
    expect((await database.db.select({ keyId: apiKeys.keyId }).from(apiKeys)).length).toBe(PEOPLE + 1);
    expect((await portalClient(portal.base).call('GET', '/healthz')).status).toBe(200);
    const report = `RSS ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB, ${after.toFixed(0)} MiB after; ${PEOPLE * 3} requests in ${seconds.toFixed(1)} s`;
    console.log(`load: ${report}`);
    expect(peak - baseline, report).toBeLessThan(MAX_GROWTH_MIB);
    expect(after - baseline, report).toBeLessThan(MAX_GROWTH_MIB);
  }, 110_000);
});
