import { and, eq, inArray } from 'drizzle-orm';
import { applications, subscriptions } from '../../../db/schema.ts';
import type { ApprovalMode } from '../catalog/model.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import { approvalBranch, ENFORCED, enqueue, newId, noApplication, ownedApplication } from './requests.ts';

/** What a subscription is to: one offer (catalog item) of the catalog, on its plan. */
export interface OfferGrant {
  key: string;
  title?: string;
  plan: string;
  apis: string[];
  bundles: string[];
  operationFilter: string[];
  approval?: ApprovalMode;
}

/** Subscriptions of an application to offers: subscribe (or change plan) and unsubscribe. */
export function createSubscriptionService(db: Database) {
  return {
    /**
     * Subscribes an application to an offer. Instant offers are committed to the target branch;
     * pull-request offers wait on their own branch until an admin merges it. `replaces` changes plan:
     * the old subscription ends in the same commit that grants the new one.
     */
    async subscribe(ownerId: string, applicationId: string, offer: OfferGrant, replaces?: string) {
      const id = newId('sub');
      const requestId = newId('req');
      const pullRequest = offer.approval === 'pull-request';
      await db.transaction(async (tx) => {
        await ownedApplication(tx, ownerId, applicationId);
        if (replaces !== undefined) {
          const [old] = await tx
            .select()
            .from(subscriptions)
            .where(and(eq(subscriptions.id, replaces), eq(subscriptions.applicationId, applicationId)));
          if (!old || !ENFORCED.includes(old.status)) throw new ProblemError(409, 'nothing-to-replace', `The application has no current subscription ${replaces} to change.`);
          if (old.offer === offer.key) throw new ProblemError(409, 'same-offer', `The subscription ${replaces} is already to ${offer.key}.`);
        }
        const open = await tx
          .select({ id: subscriptions.id })
          .from(subscriptions)
          .where(and(eq(subscriptions.applicationId, applicationId), eq(subscriptions.offer, offer.key), inArray(subscriptions.status, [...ENFORCED, 'pending-approval'])));
        if (open.length) throw new ProblemError(409, 'already-subscribed', `The application is already subscribed to ${offer.key} (${open[0]!.id}).`);
        const branch = pullRequest ? approvalBranch(requestId) : null;
        await tx.insert(subscriptions).values({
          id,
          applicationId,
          offer: offer.key,
          plan: offer.plan,
          apis: offer.apis,
          bundles: offer.bundles,
          operationFilter: offer.operationFilter,
          status: pullRequest ? 'pending-approval' : 'committing',
          requestId,
          replaces: replaces ?? null,
          branch,
          statusReason: pullRequest ? `waiting for an admin to merge ${branch}` : null,
        });
        if (pullRequest) {
          await enqueue(tx, requestId, ownerId, `Propose ${applicationId} on ${offer.key} (${offer.plan})`, { action: 'propose', branch: branch! });
        } else {
          if (replaces !== undefined)
            await tx
              .update(subscriptions)
              .set({ status: 'revoking', statusReason: `replaced by ${id} (${offer.key})` })
              .where(eq(subscriptions.id, replaces));
          await enqueue(tx, requestId, ownerId, replaces ? `Move ${applicationId} from ${replaces} to ${offer.key} on ${offer.plan}` : `Subscribe ${applicationId} to ${offer.key} on ${offer.plan}`);
        }
      });
      return { id, requestId, status: pullRequest ? 'pending-approval' : 'committing' };
    },

    /** Ends a subscription (or withdraws one still waiting for approval). */
    async unsubscribe(ownerId: string | undefined, applicationId: string, subscriptionId: string, reason = 'unsubscribed by its owner') {
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        const app = ownerId ? await ownedApplication(tx, ownerId, applicationId) : (await tx.select().from(applications).where(eq(applications.id, applicationId)))[0];
        if (!app) throw noApplication();
        const [s] = await tx
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.applicationId, applicationId)));
        if (!s) throw new ProblemError(404, 'no-subscription', 'There is no such subscription.');
        if (s.status === 'pending-approval') {
          await tx
            .update(subscriptions)
            .set({ status: 'rejected', statusReason: `withdrawn: ${reason}`, endedAt: new Date(), branch: null })
            .where(eq(subscriptions.id, s.id));
          if (s.branch) await enqueue(tx, requestId, app.ownerId, `Close ${s.branch}: withdrawn`, { action: 'close', branch: s.branch });
          return;
        }
        if (!ENFORCED.includes(s.status)) throw new ProblemError(409, 'not-current', `The subscription is already ${s.status}.`);
        await tx.update(subscriptions).set({ status: 'revoking', statusReason: reason }).where(eq(subscriptions.id, s.id));
        await enqueue(tx, requestId, app.ownerId, `Unsubscribe ${applicationId} from ${s.offer}`);
      });
      return { requestId };
    },
  };
}
