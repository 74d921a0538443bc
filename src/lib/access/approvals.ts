import { and, eq, inArray } from 'drizzle-orm';
import { accounts, applications, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import { approvalBranch, ENFORCED, enqueue, type Tx } from './requests.ts';

/** Pull-request grants waiting for an admin: listed, approved (merged) or rejected (closed). */
export function createApprovalService(db: Database) {
  return {
    /** Requests waiting for approval (pull-request mode), oldest first. */
    async pendingRequests() {
      const rows = await db
        .select({ s: subscriptions, app: applications, owner: { id: accounts.id, email: accounts.email } })
        .from(subscriptions)
        .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
        .innerJoin(accounts, eq(accounts.id, applications.ownerId))
        .where(eq(subscriptions.status, 'pending-approval'))
        .orderBy(subscriptions.createdAt);
      return rows.map(({ s, app, owner }) => ({
        requestId: s.requestId!,
        subscriptionId: s.id,
        applicationId: app.id,
        applicationName: app.name,
        owner,
        offer: s.offer,
        plan: s.plan,
        status: s.status,
        branch: s.branch,
        proposedCommit: s.statusCommit,
        createdAt: s.createdAt,
      }));
    },

    /**
     * Approves a pull-request grant: the writer merges its branch into the target branch (or finds it
     * already merged on the Git host) and the reconciler activates it there.
     */
    async approve(requestId: string, adminId: string) {
      return db.transaction(async (tx) => {
        const { s, app } = await lockWaitingRequest(tx, requestId);
        await tx
          .update(subscriptions)
          .set({ status: 'committing', statusReason: `approved by ${adminId}; merging ${s.branch}` })
          .where(eq(subscriptions.id, s.id));
        if (s.replaces)
          await tx
            .update(subscriptions)
            .set({ status: 'revoking', statusReason: `replaced by ${s.id} (${s.offer})` })
            .where(and(eq(subscriptions.id, s.replaces), inArray(subscriptions.status, ENFORCED)));
        await enqueue(tx, requestId, app!.ownerId, `Approve ${s.applicationId} on ${s.offer} (${s.plan})`, { action: 'merge', branch: s.branch ?? approvalBranch(requestId) });
        return { requestId, status: 'committing' };
      });
    },

    /** Rejects a pull-request grant: its branch is deleted and the consumer sees why. */
    async reject(requestId: string, adminId: string, reason: unknown) {
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new ProblemError(400, 'invalid-reason', 'The reason must be text of at most 500 characters.');
      return db.transaction(async (tx) => {
        const { s, app } = await lockWaitingRequest(tx, requestId);
        await tx
          .update(subscriptions)
          .set({ status: 'rejected', statusReason: `rejected by ${adminId}${reason ? `: ${reason}` : ''}`, endedAt: new Date() })
          .where(eq(subscriptions.id, s.id));
        if (s.branch) await enqueue(tx, requestId, app!.ownerId, `Close ${s.branch}: rejected`, { action: 'close', branch: s.branch });
        return { requestId, status: 'rejected' };
      });
    },
  };
}

/** The subscription waiting for approval under `requestId`, locked for this transaction, and its application; 404 when there is none. */
async function lockWaitingRequest(tx: Tx, requestId: string) {
  const [s] = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.requestId, requestId), eq(subscriptions.status, 'pending-approval')))
    .for('update');
  if (!s) throw new ProblemError(404, 'no-request', `There is no request ${requestId} waiting for approval.`);
  const [app] = await tx.select().from(applications).where(eq(applications.id, s.applicationId));
  return { s, app };
}
