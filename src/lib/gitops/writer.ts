import { and, asc, inArray, isNull, sql } from 'drizzle-orm';
import { apiKeys, outbox, subscriptions } from '../../../db/schema.ts';
import { loadGrants } from '../access/service.ts';
import type { Database } from '../db/client.ts';
import { GitError, publishRendered, type GitWorkspace } from './git.ts';
import type { Grant, RenderedFiles } from './render/types.ts';

/** The advisory lock that elects the one writer among all portal instances sharing a database. */
export const WRITER_LOCK = 7_402_112_991n;

export type DrainResult =
  | { outcome: 'idle' }
  | { outcome: 'locked' }
  | { outcome: 'published'; requests: string[]; commit: string; newCommit: boolean }
  | { outcome: 'failed'; requests: string[]; error: string; retryable: boolean };

function rowsOf(result: unknown): Array<Record<string, unknown>> {
  return Array.isArray(result) ? (result as Array<Record<string, unknown>>) : ((result as { rows: Array<Record<string, unknown>> }).rows ?? []);
}

/**
 * One pass of the writer: if this instance holds the lock, render the whole grant state, commit the
 * pending changes with their trailers, push, and mark them published. The lock is transaction-scoped:
 * a crash releases it, and the pending rows stay pending for the next writer. Re-rendering after a
 * crash between push and marking finds nothing to commit and marks the rows with the tip that
 * already has them: nothing lost, nothing duplicated.
 */
export async function drainOutbox(db: Database, workspace: GitWorkspace, folder: string, render: (grants: Grant[]) => RenderedFiles, batch = 100): Promise<DrainResult> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf(await tx.execute(sql`select pg_try_advisory_xact_lock(${WRITER_LOCK}) as locked`));
    if (!lock?.locked) return { outcome: 'locked' } as const;
    const pending = await tx.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.id)).limit(batch);
    if (pending.length === 0) return { outcome: 'idle' } as const;
    const requests = pending.map((p) => p.requestId);
    const grants = await loadGrants(tx);
    const message = pending.length === 1 ? pending[0]!.summary : `Apply ${pending.length} grant changes\n\n${pending.map((p) => `- ${p.summary}`).join('\n')}`;
    const trailers: Array<[string, string]> = [
      ...pending.map((p): [string, string] => ['Portico-Request', p.requestId]),
      ...[...new Set(pending.map((p) => p.consumerId))].map((c): [string, string] => ['Portico-Consumer', c]),
    ];
    try {
      const result = await publishRendered(workspace, folder, () => render(grants), message, trailers);
      await tx.update(outbox).set({ commit: result.tip, publishedAt: new Date(), attempts: sql`${outbox.attempts} + 1`, lastError: null }).where(inArray(outbox.id, pending.map((p) => p.id)));
      // What this render carried is now committed (only that: a request made meanwhile waits for the
      // next pass); the reconciler marks it active once it sees it on the branch.
      const subscriptionIds = grants.flatMap((g) => g.subscriptions.map((s) => s.id));
      const keyIds = grants.flatMap((g) => g.keys.map((k) => k.keyId));
      if (subscriptionIds.length) await tx.update(subscriptions).set({ status: 'committed' }).where(and(inArray(subscriptions.id, subscriptionIds), inArray(subscriptions.status, ['committing'])));
      if (keyIds.length) await tx.update(apiKeys).set({ status: 'committed' }).where(and(inArray(apiKeys.keyId, keyIds), inArray(apiKeys.status, ['committing'])));
      return { outcome: 'published', requests, commit: result.tip, newCommit: result.commit !== undefined } as const;
    } catch (err) {
      const error = err instanceof GitError ? err.message : `unexpected: ${(err as Error).message}`;
      await tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: error }).where(inArray(outbox.id, pending.map((p) => p.id)));
      return { outcome: 'failed', requests, error, retryable: err instanceof GitError ? err.retryable : false } as const;
    }
  });
}
