import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { apiKeys, applications, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import { type AccessOptions, ENFORCED, enqueue, newId, ownedApplication } from './requests.ts';

/** Applications of an account: created, deleted (with every grant they hold) and listed with their grants. */
export function createApplicationService(db: Database, options: AccessOptions) {
  const link = (sha: string | null) => (sha && options.commitUrl ? (options.commitUrl(sha) ?? null) : null);

  async function describe(app: typeof applications.$inferSelect, offerTitles: Map<string, string>) {
    const subs = await db.select().from(subscriptions).where(eq(subscriptions.applicationId, app.id)).orderBy(desc(subscriptions.createdAt));
    const keys = await db.select().from(apiKeys).where(eq(apiKeys.applicationId, app.id)).orderBy(desc(apiKeys.createdAt));
    return {
      id: app.id,
      name: app.name,
      description: app.description,
      namespace: app.namespace,
      createdAt: app.createdAt,
      subscriptions: subs.map((s) => ({
        id: s.id,
        offer: s.offer,
        offerTitle: offerTitles.get(s.offer) ?? s.offer,
        plan: s.plan,
        apis: s.apis,
        bundles: s.bundles,
        status: s.status,
        statusReason: s.statusReason,
        commit: s.statusCommit,
        commitUrl: link(s.statusCommit),
        requestId: s.requestId,
        replaces: s.replaces,
        createdAt: s.createdAt,
        endedAt: s.endedAt,
      })),
      keys: keys.map((k) => ({
        keyId: k.keyId,
        title: k.title,
        status: k.status,
        statusReason: k.statusReason,
        commit: k.statusCommit,
        commitUrl: link(k.statusCommit),
        createdAt: k.createdAt,
        expiresAt: k.expiresAt,
        replaces: k.replaces,
        retireAt: k.retireAt,
      })),
    };
  }

  return {
    async createApplication(ownerId: string, input: { name: unknown; description?: unknown; namespace: string }) {
      if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 100) throw new ProblemError(400, 'invalid-name', 'Give the application a name of 1 to 100 characters.');
      if (input.description !== undefined && input.description !== null && (typeof input.description !== 'string' || input.description.length > 1000)) {
        throw new ProblemError(400, 'invalid-description', 'The description must be text of at most 1,000 characters.');
      }
      const id = newId('app');
      if (options.limits) {
        const owned = await db.select({ id: applications.id }).from(applications).where(eq(applications.ownerId, ownerId));
        if (owned.length >= options.limits.applicationsPerAccount) {
          throw new ProblemError(409, 'too-many-applications', `An account may have ${options.limits.applicationsPerAccount} applications; delete one you no longer use first.`);
        }
      }
      await db.transaction(async (tx) => {
        await tx
          .insert(applications)
          .values({ id, ownerId, name: input.name as string, description: typeof input.description === 'string' && input.description ? input.description : null, namespace: input.namespace });
        await enqueue(tx, newId('req'), ownerId, `Create application ${id}`);
      });
      return { id };
    },

    /** Deletes an application: it and every grant it holds leave Git with the next commit. */
    async deleteApplication(ownerId: string, applicationId: string) {
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        await ownedApplication(tx, ownerId, applicationId);
        await tx.update(applications).set({ deletedAt: new Date() }).where(eq(applications.id, applicationId));
        const reason = 'the application was deleted';
        const waiting = await tx
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.applicationId, applicationId), eq(subscriptions.status, 'pending-approval')));
        await tx
          .update(subscriptions)
          .set({ status: 'revoking', statusReason: reason })
          .where(and(eq(subscriptions.applicationId, applicationId), inArray(subscriptions.status, ENFORCED)));
        await tx
          .update(apiKeys)
          .set({ status: 'revoking', statusReason: reason })
          .where(and(eq(apiKeys.applicationId, applicationId), inArray(apiKeys.status, [...ENFORCED, 'suspended'])));
        await enqueue(tx, requestId, ownerId, `Delete application ${applicationId}`);
        for (const s of waiting) {
          await tx
            .update(subscriptions)
            .set({ status: 'rejected', statusReason: `withdrawn: ${reason}`, endedAt: new Date() })
            .where(eq(subscriptions.id, s.id));
          if (s.branch) await enqueue(tx, newId('req'), ownerId, `Close ${s.branch}: application deleted`, { action: 'close', branch: s.branch });
        }
      });
      return { requestId };
    },

    /** The owner's applications, newest first, each with its subscriptions and keys. */
    async listApplications(ownerId: string, offerTitles = new Map<string, string>()) {
      const apps = await db
        .select()
        .from(applications)
        .where(and(eq(applications.ownerId, ownerId), isNull(applications.deletedAt)))
        .orderBy(desc(applications.createdAt));
      return Promise.all(apps.map((a) => describe(a, offerTitles)));
    },

    /** One application with each subscription's and key's status and commit (never a key). */
    async getApplication(ownerId: string, applicationId: string, offerTitles = new Map<string, string>()) {
      return describe(await ownedApplication(db, ownerId, applicationId), offerTitles);
    },
  };
}
