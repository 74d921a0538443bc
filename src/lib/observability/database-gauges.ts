import { count, isNull, sql } from 'drizzle-orm';
import { apiKeys, outbox, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { MetricFamily } from './metrics.ts';

/** Statuses a grant can have (the access API's contract); each is exposed, at 0 when none has it, so series never vanish. */
const SUBSCRIPTION_STATUSES = ['pending-approval', 'committing', 'committed', 'active', 'revoking', 'revoked', 'rejected'];
const KEY_STATUSES = [...SUBSCRIPTION_STATUSES, 'suspended', 'expired'];

/**
 * The gauges read from the database at scrape time: how far the Git writer is behind (outbox depth
 * and the age of its oldest row, by the database's clock) and how many grants are in each status.
 * Counts only: no id, name or owner leaves this function.
 */
export async function collectDatabaseGauges(db: Database): Promise<MetricFamily[]> {
  const [pending] = await db
    .select({
      depth: count(),
      oldest: sql<number | null>`extract(epoch from (now() - min(${outbox.createdAt})))`,
    })
    .from(outbox)
    .where(isNull(outbox.publishedAt));
  const subscriptionCounts = await db.select({ status: subscriptions.status, n: count() }).from(subscriptions).groupBy(subscriptions.status);
  const keyCounts = await db.select({ status: apiKeys.status, n: count() }).from(apiKeys).groupBy(apiKeys.status);

  const grants = (kind: 'subscription' | 'key', known: string[], rows: Array<{ status: string; n: number }>) => {
    const byStatus = new Map<string, number>(known.map((s) => [s, 0]));
    for (const row of rows) byStatus.set(row.status, Number(row.n));
    return [...byStatus].map(([status, n]) => ({ labels: { kind, status }, value: n }));
  };
  return [
    { name: 'portico_outbox_depth', help: 'Grant changes waiting for the Git writer (outbox rows not yet published).', type: 'gauge', samples: [{ value: Number(pending?.depth ?? 0) }] },
    {
      name: 'portico_outbox_oldest_age_seconds',
      help: 'Age in seconds of the oldest grant change still waiting for the Git writer; 0 when none waits.',
      type: 'gauge',
      samples: [{ value: Math.max(0, Number(pending?.oldest ?? 0)) }],
    },
    {
      name: 'portico_grants',
      help: 'Subscriptions and API keys, by kind and status.',
      type: 'gauge',
      samples: [...grants('subscription', SUBSCRIPTION_STATUSES, subscriptionCounts), ...grants('key', KEY_STATUSES, keyCounts)],
    },
  ];
}
