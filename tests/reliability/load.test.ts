import { readFileSync } from 'node:fs';
import path from 'node:path';
import { count, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys, outbox } from '../../db/schema.ts';
import { hashPassword } from '../../src/lib/auth/passwords.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { portalClient, until } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * 500 people sign in and ask for a key at the same moment, against one portal. Every request
 * succeeds, none gets a 5xx, and the portal's resident memory stays within a documented bound.
 *
 * Memory is compared at defined points, not after a pause: before and after the load the test
 * forces a full garbage collection in the portal (through its inspector, which SIGUSR1 opens on a
 * port of its own) once the portal has nothing left to do, so what remains is what it holds, not
 * garbage a busy machine has not collected yet.
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
 * Every figure it is compared with is taken right after a full collection: the resident size at an
 * arbitrary moment also holds garbage the collector has not reached yet, and how much depends on
 * how much CPU the machine gives it (on a 2-core machine that peak was 208 MiB over the baseline
 * idle and 238 MiB beside two CPU-bound processes), which is not the portal's memory use. After a
 * full collection under load it was about 70 MiB over, idle and beside them alike.
 */
const MAX_GROWTH_MIB = 250;
/**
 * The bound on JavaScript heap the portal still holds after the load, after a full collection
 * (measured: 2 to 7 MiB, idle or beside two CPU-bound processes): its caches are bounded and sessions
 * live in the database, so this is room for V8's own bookkeeping (compiled code, inline caches).
 * A leak of 20 KiB per request (30 MiB over 1,500 requests) crosses it.
 */
const MAX_RETAINED_HEAP_MIB = 30;

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

/** What `process.memoryUsage()` says inside the portal, in MiB. */
interface Memory {
  rss: number;
  heapUsed: number;
}

/**
 * Opens the portal's inspector (SIGUSR1; `--inspect-port=127.0.0.1:0` makes it a free loopback
 * port) and returns a function that forces a full garbage collection there and reads its memory.
 */
async function inspectPortal(): Promise<{ memoryAfterGc(): Promise<Memory>; close(): void }> {
  const before = portal.stderr().length;
  process.kill(portal.pid, 'SIGUSR1');
  const url = await until("the portal's inspector to listen", () => /Debugger listening on (ws:\/\/\S+)/.exec(portal.stderr().slice(before))?.[1], 30, 50);
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`could not open the portal's inspector at ${url}`));
  });
  let lastId = 0;
  const waiting = new Map<number, (message: { result?: { result?: { value?: unknown } }; error?: { message: string } }) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  };
  const send = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: unknown } } }>((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, (message) => (message.error ? reject(new Error(`${method}: ${message.error.message}`)) : resolve(message)));
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async memoryAfterGc() {
      await send('HeapProfiler.collectGarbage');
      const answer = await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      const usage = JSON.parse(String(answer.result?.result?.value)) as NodeJS.MemoryUsage;
      return { rss: usage.rss / 1024 / 1024, heapUsed: usage.heapUsed / 1024 / 1024 };
    },
    close: () => socket.close(),
  };
}

/** Waits until the portal has nothing left to do: every change it accepted is in Git. */
async function untilOutboxDrained(): Promise<void> {
  await until(
    'the outbox to drain (every accepted key published to Git)',
    async () => {
      const [row] = await database.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
      return row!.n === 0 ? true : undefined;
    },
    120,
    250,
  );
}

beforeAll(async () => {
  database = await freshPostgres();
  // The accounts exist already, confirmed (sign-up is not what this test measures); one argon2 hash serves all, as each verifies on its own.
  const passwordHash = await hashPassword(PASSWORD);
  await database.db.insert(accounts).values(Array.from({ length: PEOPLE + 1 }, (_, i) => ({ id: generateSecureRandomString(), email: `person-${i}@example.test`, emailVerified: true, passwordHash })));
  portal = await startPortal({
    PORTICO_CONTENT_DIR: CONTENT,
    DATABASE_URL: database.url!,
    PORTICO_GIT_INTERVAL: '5',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect-port=127.0.0.1:0`.trim(),
  });
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
    await untilOutboxDrained();
    const inspector = await inspectPortal();
    const baseline = await inspector.memoryAfterGc();

    // The resident size at any moment (garbage included), for the report only.
    let peak = baseline.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, residentMiB(portal.pid))), 100);
    // What the portal holds while the load runs: its memory right after a full collection, taken when
    // 1 %, 25 %, 50 % and 75 % of the answers are in (each collection pauses the portal, so only four).
    const checkpoints = [0.01, 0.25, 0.5, 0.75].map((share) => Math.ceil(share * PEOPLE * 3));
    const underLoad: Memory[] = [];
    let measuring = Promise.resolve();
    const outcomes: string[] = [];
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: PEOPLE }, async (_, i) => {
          const client = portalClient(portal.base, { localAddress: `127.0.1.${1 + (i % ADDRESSES)}` });
          const step = async (what: string, call: () => ReturnType<typeof client.call>, expected: number) => {
            const res = await call().catch((err: Error) => ({ status: 0, text: err.message, body: undefined, headers: {} }));
            outcomes.push(res.status === expected ? 'ok' : `${what} of person ${i}: ${res.status} ${res.text.slice(0, 160)}`);
            if (checkpoints.includes(outcomes.length)) measuring = measuring.then(async () => void underLoad.push(await inspector.memoryAfterGc()));
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
      await measuring;
    }
    const held = underLoad.reduce((most, memory) => (memory.rss > most.rss ? memory : most), baseline);
    const seconds = (Date.now() - started) / 1000;
    await untilOutboxDrained();
    const after = await inspector.memoryAfterGc();
    inspector.close();

    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    expect(outcomes).toHaveLength(PEOPLE * 3);
    expect((await database.db.select({ keyId: apiKeys.keyId }).from(apiKeys)).length).toBe(PEOPLE + 1);
    expect((await portalClient(portal.base).call('GET', '/healthz')).status).toBe(200);
    const report = `RSS after a full GC: ${baseline.rss.toFixed(0)} MiB before, at most ${held.rss.toFixed(0)} MiB under load (${underLoad.map((m) => m.rss.toFixed(0)).join(', ')}), ${after.rss.toFixed(0)} MiB after; RSS at any moment: peak ${peak.toFixed(0)} MiB; heap after a full GC: ${baseline.heapUsed.toFixed(1)} MiB before, ${after.heapUsed.toFixed(1)} MiB after; ${PEOPLE * 3} requests in ${seconds.toFixed(1)} s`;
    console.log(`load: ${report}`);
    expect(underLoad, report).toHaveLength(checkpoints.length);
    expect(held.rss - baseline.rss, report).toBeLessThan(MAX_GROWTH_MIB);
    expect(after.rss - baseline.rss, report).toBeLessThan(MAX_GROWTH_MIB);
    expect(after.heapUsed - baseline.heapUsed, report).toBeLessThan(MAX_RETAINED_HEAP_MIB);
  }, 110_000);
});
