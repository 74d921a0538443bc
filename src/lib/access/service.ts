import { and, eq, inArray, isNull } from 'drizzle-orm';
import { apiKeys, applications, outbox, subscriptions } from '../../../db/schema.ts';
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import type { Grant } from '../gitops/render/types.ts';
import { generateApiKey, type KeyEnvironment } from '../keys/format.ts';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Statuses of a subscription or key that Git must enforce. */
const ENFORCED = ['committing', 'committed', 'active'];

/** A short, unguessable, URL-safe id such as `app-k7m2q9x3w8ab`. */
function newId(prefix: 'req' | 'app' | 'sub'): string {
  return `${prefix}-${generateSecureRandomString().slice(0, 12)}`;
}

/** Queues a grant change for the Git writer, inside the caller's transaction. */
async function enqueue(tx: Tx, requestId: string, consumerId: string, summary: string): Promise<void> {
  await tx.insert(outbox).values({ requestId, consumerId, summary });
}

/**
 * Applications, subscriptions and keys. Every change that Git must enforce is written together with
 * its outbox row in one transaction: the writer can never miss it, and renders whole states, so it
 * can never apply it twice.
 */
export function createAccessService(db: Database, options: { keyPrefix: string; environment: KeyEnvironment }) {
  return {
    async createApplication(ownerId: string, input: { name: unknown; description?: unknown; namespace: string }) {
      if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 100) throw new ProblemError(400, 'invalid-name', 'Give the application a name of 1 to 100 characters.');
      const id = newId('app');
      await db.transaction(async (tx) => {
        await tx.insert(applications).values({ id, ownerId, name: input.name as string, description: typeof input.description === 'string' ? input.description : null, namespace: input.namespace });
        await enqueue(tx, newId('req'), ownerId, `Create application ${id}`);
      });
      return { id };
    },

    async subscribe(ownerId: string, applicationId: string, offer: { key: string; plan: string; apis: string[]; bundles: string[]; operationFilter: string[] }) {
      const id = newId('sub');
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        const [app] = await tx.select().from(applications).where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
        if (!app) throw new ProblemError(404, 'no-application', 'There is no such application.');
        await tx.insert(subscriptions).values({ id, applicationId, offer: offer.key, plan: offer.plan, apis: offer.apis, bundles: offer.bundles, operationFilter: offer.operationFilter, status: 'committing' });
        await enqueue(tx, requestId, ownerId, `Subscribe ${applicationId} to ${offer.key} on ${offer.plan}`);
      });
      return { id, requestId };
    },

    /** Creates a key: the plaintext is in the result and nowhere else; the database keeps its hash. */
    async createKey(ownerId: string, applicationId: string, input: { title: unknown; expiresAt?: Date; encryptSecret?: (key: string, keyId: string) => string | Promise<string> }) {
      if (typeof input.title !== 'string' || !input.title.trim() || input.title.length > 100) throw new ProblemError(400, 'invalid-title', 'Give the key a title of 1 to 100 characters.');
      const generated = generateApiKey(options.keyPrefix, options.environment);
      const requestId = newId('req');
      // The only form of the key itself that is kept: encrypted for the gateway, at this moment.
      const encryptedSecret = input.encryptSecret ? await input.encryptSecret(generated.key, generated.keyId) : null;
      await db.transaction(async (tx) => {
        const [app] = await tx.select().from(applications).where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
        if (!app) throw new ProblemError(404, 'no-application', 'There is no such application.');
        await tx.insert(apiKeys).values({
          keyId: generated.keyId,
          applicationId,
          sha256: generated.sha256,
          title: input.title as string,
          expiresAt: input.expiresAt ?? null,
          encryptedSecret,
          status: 'committing',
        });
        await enqueue(tx, requestId, ownerId, `Add key ${generated.keyId} to ${applicationId}`);
      });
      return { key: generated.key, keyId: generated.keyId, requestId };
    },

    /** The owner's applications, newest first. */
    async listApplications(ownerId: string) {
      return db.select({ id: applications.id, name: applications.name, description: applications.description, createdAt: applications.createdAt })
        .from(applications).where(and(eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
    },

    /** One application with each subscription's and key's status and commit (never a key). */
    async getApplication(ownerId: string, applicationId: string) {
      const [app] = await db.select().from(applications).where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
      if (!app) throw new ProblemError(404, 'no-application', 'There is no such application.');
      const subs = await db.select().from(subscriptions).where(eq(subscriptions.applicationId, app.id));
      const keys = await db.select().from(apiKeys).where(eq(apiKeys.applicationId, app.id));
      return {
        id: app.id,
        name: app.name,
        description: app.description,
        namespace: app.namespace,
        createdAt: app.createdAt,
        subscriptions: subs.map((s) => ({ id: s.id, offer: s.offer, plan: s.plan, status: s.status, statusReason: s.statusReason, commit: s.statusCommit, createdAt: s.createdAt })),
        keys: keys.map((k) => ({ keyId: k.keyId, title: k.title, status: k.status, statusReason: k.statusReason, commit: k.statusCommit, createdAt: k.createdAt, expiresAt: k.expiresAt })),
      };
    },

    async revokeKey(ownerId: string, applicationId: string, keyId: string) {
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        const [app] = await tx.select().from(applications).where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId)));
        if (!app) throw new ProblemError(404, 'no-application', 'There is no such application.');
        await tx.update(apiKeys).set({ status: 'revoked', revokedAt: new Date() }).where(and(eq(apiKeys.keyId, keyId), eq(apiKeys.applicationId, applicationId)));
        await enqueue(tx, requestId, ownerId, `Revoke key ${keyId} of ${applicationId}`);
      });
      return { requestId };
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;

/** Everything Git must enforce, read in one query set: what every renderer takes. */
export async function loadGrants(db: Database | Tx): Promise<Grant[]> {
  const apps = await db.select().from(applications).where(isNull(applications.deletedAt));
  if (apps.length === 0) return [];
  const ids = apps.map((a) => a.id);
  const subs = await db.select().from(subscriptions).where(and(inArray(subscriptions.applicationId, ids), inArray(subscriptions.status, ENFORCED)));
  const keys = await db.select().from(apiKeys).where(and(inArray(apiKeys.applicationId, ids), inArray(apiKeys.status, [...ENFORCED, 'suspended'])));
  return apps.map((a) => ({
    applicationId: a.id,
    ownerId: a.ownerId,
    applicationName: a.name,
    namespace: a.namespace,
    subscriptions: subs.filter((s) => s.applicationId === a.id).map((s) => ({ id: s.id, offer: s.offer, apis: s.apis, bundles: s.bundles, plan: s.plan, operationFilter: s.operationFilter })),
    keys: keys
      .filter((k) => k.applicationId === a.id)
      .map((k) => ({
        keyId: k.keyId,
        sha256: k.sha256,
        title: k.title,
        ...(k.expiresAt ? { expiresAt: k.expiresAt.toISOString() } : {}),
        suspended: k.status === 'suspended',
        ...(k.encryptedSecret ? { encryptedSecret: { name: `${a.id}-key-${k.keyId.toLowerCase()}`, document: k.encryptedSecret } } : {}),
      })),
  }));
}
