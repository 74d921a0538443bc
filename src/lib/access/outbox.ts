import { desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { apiKeys, outbox, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';

function view(row: typeof outbox.$inferSelect) {
  return {
    requestId: row.requestId,
    consumerId: row.consumerId,
    summary: row.summary,
    action: row.action,
    branch: row.branch,
    createdAt: row.createdAt,
    commit: row.commit,
    publishedAt: row.publishedAt,
    attempts: row.attempts,
    lastError: row.lastError,
  };
}

/** The Git outbox for the admin area: what waits (with the last error) and the latest published. */
export async function listGitOutbox(db: Database, recent = 20) {
  const [pending, published] = await Promise.all([
    db.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(outbox.id),
    db.select().from(outbox).where(isNotNull(outbox.publishedAt)).orderBy(desc(outbox.id)).limit(recent),
  ]);
  return { pending: pending.map(view), recent: published.map(view) };
}

/** The application a key belongs to, for admin actions; 404 when there is no such key. */
export async function apiKeyOwner(db: Database, keyId: string): Promise<string> {
  const [row] = await db.select({ applicationId: apiKeys.applicationId }).from(apiKeys).where(eq(apiKeys.keyId, keyId));
  if (!row) throw new ProblemError(404, 'no-key', 'There is no such key.');
  return row.applicationId;
}

/** The application a subscription belongs to, for admin actions; 404 when there is no such subscription. */
export async function subscriptionApplication(db: Database, id: string): Promise<string> {
  const [row] = await db.select({ applicationId: subscriptions.applicationId }).from(subscriptions).where(eq(subscriptions.id, id));
  if (!row) throw new ProblemError(404, 'no-subscription', 'There is no such subscription.');
  return row.applicationId;
}
