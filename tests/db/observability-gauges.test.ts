import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys, applications, outbox, subscriptions } from '../../db/schema.ts';
import { collectDatabaseGauges } from '../../src/lib/observability/database-gauges.ts';
import type { MetricFamily } from '../../src/lib/observability/metrics.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const sample = (families: MetricFamily[], name: string, labels: Record<string, string> = {}) =>
  families.find((f) => f.name === name)?.samples.find((s) => JSON.stringify(s.labels ?? {}) === JSON.stringify(labels))?.value;

describe.each(ENGINES)('the gauges /metrics reads from %s', (_engine, open) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => handle?.close());

  it('says an empty portal has nothing waiting and no grants, with every status present at 0', async () => {
    const families = await collectDatabaseGauges(handle.db);
    expect(sample(families, 'portico_outbox_depth')).toBe(0);
    expect(sample(families, 'portico_outbox_oldest_age_seconds')).toBe(0);
    expect(sample(families, 'portico_grants', { kind: 'subscription', status: 'active' })).toBe(0);
    expect(sample(families, 'portico_grants', { kind: 'key', status: 'suspended' })).toBe(0);
  });

  it('counts the outbox rows still waiting, the age of the oldest, and grants by kind and status', async () => {
    const { db } = handle;
    await db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
    await db.insert(applications).values({ id: 'app-1', ownerId: 'acct-ada', name: 'Tracking widget', namespace: 'logistics' });
    await db.insert(subscriptions).values([
      { id: 'sub-1', applicationId: 'app-1', offer: 'logistics/public-starter', plan: 'logistics/starter', status: 'active' },
      { id: 'sub-2', applicationId: 'app-1', offer: 'logistics/public-pro', plan: 'logistics/pro', status: 'committing' },
      { id: 'sub-3', applicationId: 'app-1', offer: 'logistics/public-pro', plan: 'logistics/pro', status: 'committing' },
    ]);
    await db.insert(apiKeys).values([
      { keyId: 'key00001', applicationId: 'app-1', sha256: 'a'.repeat(64), title: 'production', status: 'active' },
      { keyId: 'key00002', applicationId: 'app-1', sha256: 'b'.repeat(64), title: 'staging', status: 'revoked' },
    ]);
    await db.insert(outbox).values([
      { requestId: 'req-old', consumerId: 'app-1', summary: 'Subscribe app-1', createdAt: sql`now() - interval '120 seconds'` as unknown as Date },
      { requestId: 'req-new', consumerId: 'app-1', summary: 'Add key', createdAt: sql`now() - interval '5 seconds'` as unknown as Date },
      { requestId: 'req-done', consumerId: 'app-1', summary: 'Create application', createdAt: sql`now() - interval '1 hour'` as unknown as Date, publishedAt: new Date(), commit: 'c'.repeat(40) },
    ]);

    const families = await collectDatabaseGauges(db);
    expect(sample(families, 'portico_outbox_depth')).toBe(2);
    const age = sample(families, 'portico_outbox_oldest_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(120); // the published hour-old row does not count
    expect(age).toBeLessThan(180);
    expect(sample(families, 'portico_grants', { kind: 'subscription', status: 'active' })).toBe(1);
    expect(sample(families, 'portico_grants', { kind: 'subscription', status: 'committing' })).toBe(2);
    expect(sample(families, 'portico_grants', { kind: 'key', status: 'active' })).toBe(1);
    expect(sample(families, 'portico_grants', { kind: 'key', status: 'revoked' })).toBe(1);
    expect(sample(families, 'portico_grants', { kind: 'key', status: 'committing' })).toBe(0);
    // Counts only: nothing that names an application, a key or a request is exposed.
    expect(JSON.stringify(families)).not.toMatch(/app-1|key0000|req-|acct-ada/);
  });
});
