import { and, eq, inArray, sql } from 'drizzle-orm';
import { apiKeys, outbox, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { RefusedGrant } from './render/refusals.ts';

/*
 * The writer's bookkeeping after its Git work (writer.ts): what happened to each outbox row, and the
 * statuses of the grants a pass settled. Both run with no Git work under way, in short statements.
 */

type OutboxRow = typeof outbox.$inferSelect;

/** What the Git work decided about some outbox rows: published (with the commit that carries them, if any), or failed with why. */
export type Outcome = { rows: OutboxRow[]; published: true; commit: string | null } | { rows: OutboxRow[]; published: false; error: string };

/** Records what the Git work did with each outbox row, in one short transaction. */
export async function recordOutcomes(db: Database, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.transaction(async (tx) => {
    for (const o of outcomes) {
      const ids = o.rows.map((p) => p.id);
      if (o.published)
        await tx
          .update(outbox)
          .set({ commit: o.commit, publishedAt: new Date(), attempts: sql`${outbox.attempts} + 1`, lastError: null })
          .where(inArray(outbox.id, ids));
      else
        await tx
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1`, lastError: o.error })
          .where(inArray(outbox.id, ids));
    }
  });
}

/** What one pass settled, written after its locked transaction. */
export interface Marks {
  tip?: string;
  committed: { subscriptions: string[]; keys: string[] };
  revoked: { subscriptions: string[]; keys: string[] };
  merged: string[];
  proposed: Array<{ id: string; commit: string; branch: string }>;
  /** Why nothing could be committed, for everyone waiting. */
  waiting?: string;
  /** Grants left out because a gateway cannot enforce them, each with its reason. */
  refused: RefusedGrant[];
}

/**
 * The statuses a pass settled. Each update is conditional on the status it moves from, so a
 * consumer's change made meanwhile (a revoke, a suspension) is never overwritten; and a crash
 * before this runs loses nothing: the reconciler settles the same grants from the branch.
 */
export async function markStatuses(db: Database, marks: Marks): Promise<void> {
  const { tip } = marks;
  if (tip) {
    const { committed, revoked } = marks;
    if (committed.subscriptions.length)
      await db
        .update(subscriptions)
        .set({ status: 'committed', statusCommit: tip, statusReason: null })
        .where(and(inArray(subscriptions.id, committed.subscriptions), eq(subscriptions.status, 'committing')));
    if (committed.keys.length)
      await db
        .update(apiKeys)
        .set({ status: 'committed', statusCommit: tip, statusReason: null })
        .where(and(inArray(apiKeys.keyId, committed.keys), eq(apiKeys.status, 'committing')));
    if (revoked.subscriptions.length)
      await db
        .update(subscriptions)
        .set({ status: 'revoked', statusCommit: tip, endedAt: new Date(), branch: null })
        .where(and(inArray(subscriptions.id, revoked.subscriptions), eq(subscriptions.status, 'revoking')));
    if (revoked.keys.length)
      await db
        .update(apiKeys)
        .set({ status: 'revoked', statusCommit: tip, revokedAt: new Date() })
        .where(and(inArray(apiKeys.keyId, revoked.keys), eq(apiKeys.status, 'revoking')));
  }
  if (marks.merged.length) await db.update(subscriptions).set({ branch: null }).where(inArray(subscriptions.branch, marks.merged));
  for (const p of marks.proposed) {
    await db
      .update(subscriptions)
      .set({ statusCommit: p.commit, statusReason: `waiting for an admin to merge ${p.branch}` })
      .where(and(eq(subscriptions.id, p.id), eq(subscriptions.status, 'pending-approval')));
  }
  for (const r of marks.refused) {
    // The owner sees why on the application page; the grant waits, uncommitted, until the plan or the gateway changes.
    const reason = `not committed: the gateway cannot enforce it (${r.reason})`;
    if (r.subscriptionIds.length)
      await db
        .update(subscriptions)
        .set({ statusReason: reason })
        .where(and(inArray(subscriptions.id, r.subscriptionIds), inArray(subscriptions.status, ['committing', 'pending-approval'])));
    if (r.keyIds.length)
      await db
        .update(apiKeys)
        .set({ statusReason: reason })
        .where(and(inArray(apiKeys.keyId, r.keyIds), eq(apiKeys.status, 'committing')));
  }
  if (marks.waiting) {
    // Everyone waiting sees why, in words; the rows stay queued for the next pass.
    await db
      .update(subscriptions)
      .set({ statusReason: `not committed yet: ${marks.waiting}` })
      .where(eq(subscriptions.status, 'committing'));
    await db
      .update(apiKeys)
      .set({ statusReason: `not committed yet: ${marks.waiting}` })
      .where(eq(apiKeys.status, 'committing'));
  }
}
