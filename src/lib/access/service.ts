import { and, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { accounts, apiKeys, applications, outbox, subscriptions } from '../../../db/schema.ts';
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { ApprovalMode } from '../catalog/model.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import type { Grant } from '../gitops/render/types.ts';
import { generateApiKey, type KeyEnvironment } from '../keys/format.ts';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Statuses of a subscription or key that Git must enforce. */
export const ENFORCED = ['committing', 'committed', 'active'];

/** The longest overlap a rotation may keep the old key for: 30 days. */
export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

/** A short, unguessable, URL-safe id such as `app-k7m2q9x3w8ab`. */
function newId(prefix: 'req' | 'app' | 'sub'): string {
  return `${prefix}-${generateSecureRandomString().slice(0, 12).toLowerCase()}`;
}

/** The branch a pull-request grant waits on. */
export function approvalBranch(requestId: string): string {
  return `portico/${requestId}`;
}

type OutboxAction = { action?: 'render' | 'propose' | 'merge' | 'close'; branch?: string };

/** Queues a grant change for the Git writer, inside the caller's transaction. */
async function enqueue(tx: Tx, requestId: string, consumerId: string, summary: string, what: OutboxAction = {}): Promise<void> {
  await tx.insert(outbox).values({ requestId, consumerId, summary, action: what.action ?? 'render', branch: what.branch ?? null });
}

const NO_APPLICATION = () => new ProblemError(404, 'no-application', 'There is no such application.');

export interface AccessOptions {
  keyPrefix: string;
  environment: KeyEnvironment;
  /** A link to a commit on the remote's web host, when it is one Portico knows. */
  commitUrl?: (sha: string) => string | undefined;
  /** What one account may hold; without it, nothing is capped (tests of the writer, scripts). */
  limits?: AccessLimits;
}

/** Caps that keep one account from filling the database and the GitOps repository. */
export interface AccessLimits {
  /** Applications per account. */
  applicationsPerAccount: number;
  /** Keys per application that are not revoked. */
  keysPerApplication: number;
  /** Whether a key needs a confirmed email address (or a provider-verified one). */
  keysNeedConfirmedEmail: boolean;
}

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

/** An encrypter for gateways that need the key itself (set when one is configured). */
export type EncryptSecret = (key: string, keyId: string) => string | Promise<string>;

/**
 * Applications, subscriptions and keys. Every change that Git must enforce is written together with
 * its outbox row in one transaction: the writer can never miss it, and renders whole states, so it
 * can never apply it twice.
 */
export function createAccessService(db: Database, options: AccessOptions) {
  const link = (sha: string | null) => (sha && options.commitUrl ? (options.commitUrl(sha) ?? null) : null);

  /** The owner's live application, read inside a transaction; 404 for anyone else's. */
  async function ownedApplication(tx: Tx | Database, ownerId: string, applicationId: string) {
    const [app] = await tx
      .select()
      .from(applications)
      .where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
    if (!app) throw NO_APPLICATION();
    return app;
  }

  function checkTitle(title: unknown): string {
    if (typeof title !== 'string' || !title.trim() || title.length > 100) throw new ProblemError(400, 'invalid-title', 'Give the key a title of 1 to 100 characters.');
    return title.trim();
  }

  /** Inserts a new key (committing) for an application; returns the plaintext, which is kept nowhere. */
  async function insertKey(tx: Tx, applicationId: string, title: string, extra: { expiresAt?: Date; replaces?: string }, generated: ReturnType<typeof generateApiKey>, encryptedSecret: string | null) {
    await tx.insert(apiKeys).values({
      keyId: generated.keyId,
      applicationId,
      sha256: generated.sha256,
      title,
      expiresAt: extra.expiresAt ?? null,
      encryptedSecret,
      replaces: extra.replaces ?? null,
      status: 'committing',
    });
  }

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

  /** Refuses a new key to an unconfirmed address (when so set) and past the cap of live keys per application. */
  async function checkKeyLimits(ownerId: string, applicationId: string, limits: AccessLimits): Promise<void> {
    if (limits.keysNeedConfirmedEmail) {
      const [owner] = await db.select({ emailVerified: accounts.emailVerified }).from(accounts).where(eq(accounts.id, ownerId)).limit(1);
      if (owner && !owner.emailVerified) {
        throw new ProblemError(403, 'email-not-confirmed', 'Confirm your email address first: open the link we mailed you, or send it again from your account page.');
      }
    }
    const live = await db
      .select({ keyId: apiKeys.keyId })
      .from(apiKeys)
      .where(and(eq(apiKeys.applicationId, applicationId), inArray(apiKeys.status, [...ENFORCED, 'suspended'])));
    if (live.length >= limits.keysPerApplication) {
      throw new ProblemError(409, 'too-many-keys', `An application may have ${limits.keysPerApplication} keys; revoke one you no longer use first.`);
    }
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
        if (!app) throw NO_APPLICATION();
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

    /** Creates a key: the plaintext is in the result and nowhere else; the database keeps its hash. */
    async createKey(ownerId: string, applicationId: string, input: { title: unknown; expiresAt?: Date; encryptSecret?: EncryptSecret }) {
      const title = checkTitle(input.title);
      if (options.limits) await checkKeyLimits(ownerId, applicationId, options.limits);
      const generated = generateApiKey(options.keyPrefix, options.environment);
      const requestId = newId('req');
      // The only form of the key itself that is kept: encrypted for the gateway, at this moment.
      const encryptedSecret = input.encryptSecret ? await input.encryptSecret(generated.key, generated.keyId) : null;
      await db.transaction(async (tx) => {
        await ownedApplication(tx, ownerId, applicationId);
        await insertKey(tx, applicationId, title, { expiresAt: input.expiresAt }, generated, encryptedSecret);
        await enqueue(tx, requestId, ownerId, `Add key ${generated.keyId} to ${applicationId}`);
      });
      return { key: generated.key, keyId: generated.keyId, requestId, title, expiresAt: input.expiresAt ?? null };
    },

    /**
     * Rotates a key: a new key now, the old one kept for `overlapSeconds` so clients can switch, then
     * removed by the sweeper. Both changes go to Git in one commit when there is no overlap.
     */
    async rotateKey(ownerId: string, applicationId: string, keyId: string, input: { overlapSeconds?: unknown; title?: unknown; encryptSecret?: EncryptSecret }) {
      const overlap = input.overlapSeconds === undefined ? 86_400 : Number(input.overlapSeconds);
      if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
        throw new ProblemError(400, 'invalid-overlap', `overlapSeconds must be a whole number from 0 to ${MAX_OVERLAP_SECONDS} (30 days).`);
      }
      const [old] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyId, keyId), eq(apiKeys.applicationId, applicationId)));
      await ownedApplication(db, ownerId, applicationId);
      if (!old) throw new ProblemError(404, 'no-key', 'There is no such key.');
      if (!ENFORCED.includes(old.status)) throw new ProblemError(409, 'not-current', `The key ${keyId} is ${old.status}; only a current key can be rotated.`);
      if (old.retireAt) throw new ProblemError(409, 'already-rotated', `The key ${keyId} was already rotated; it retires at ${old.retireAt.toISOString()}.`);
      const title = input.title === undefined ? old.title : checkTitle(input.title);
      const generated = generateApiKey(options.keyPrefix, options.environment);
      const encryptedSecret = input.encryptSecret ? await input.encryptSecret(generated.key, generated.keyId) : null;
      const requestId = newId('req');
      const retireAt = new Date(Date.now() + overlap * 1000);
      await db.transaction(async (tx) => {
        const [current] = await tx.select().from(apiKeys).where(eq(apiKeys.keyId, keyId)).for('update');
        if (!current || current.retireAt || !ENFORCED.includes(current.status)) throw new ProblemError(409, 'already-rotated', `The key ${keyId} changed meanwhile; reload and try again.`);
        await insertKey(tx, applicationId, title, { expiresAt: old.expiresAt ?? undefined, replaces: keyId }, generated, encryptedSecret);
        if (overlap === 0)
          await tx
            .update(apiKeys)
            .set({ status: 'revoking', statusReason: `rotated: replaced by ${generated.keyId}`, retireAt })
            .where(eq(apiKeys.keyId, keyId));
        else
          await tx
            .update(apiKeys)
            .set({ retireAt, statusReason: `rotated: replaced by ${generated.keyId}, valid until ${retireAt.toISOString()}` })
            .where(eq(apiKeys.keyId, keyId));
        await enqueue(tx, requestId, ownerId, `Rotate key ${keyId} of ${applicationId} to ${generated.keyId}`);
      });
      return { key: generated.key, keyId: generated.keyId, replaces: keyId, overlapUntil: retireAt, requestId, title };
    },

    /** Revokes a key; it leaves Git (and so the gateway) with the next commit. */
    async revokeKey(ownerId: string | undefined, applicationId: string, keyId: string, reason = 'revoked by its owner') {
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        const app = ownerId ? await ownedApplication(tx, ownerId, applicationId) : (await tx.select().from(applications).where(eq(applications.id, applicationId)))[0];
        if (!app) throw NO_APPLICATION();
        const [k] = await tx
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.keyId, keyId), eq(apiKeys.applicationId, applicationId)));
        if (!k) throw new ProblemError(404, 'no-key', 'There is no such key.');
        if (!ENFORCED.includes(k.status) && k.status !== 'suspended') throw new ProblemError(409, 'not-current', `The key ${keyId} is already ${k.status}.`);
        await tx.update(apiKeys).set({ status: 'revoking', statusReason: reason }).where(eq(apiKeys.keyId, keyId));
        await enqueue(tx, requestId, app.ownerId, `Revoke key ${keyId} of ${applicationId}`);
      });
      return { requestId };
    },

    /** An admin suspends a key (the gateway refuses it, the key stays) or lifts the suspension. */
    async setKeySuspended(keyId: string, suspended: boolean, adminId: string) {
      const requestId = newId('req');
      await db.transaction(async (tx) => {
        const [k] = await tx.select().from(apiKeys).where(eq(apiKeys.keyId, keyId));
        if (!k) throw new ProblemError(404, 'no-key', 'There is no such key.');
        if (suspended && !ENFORCED.includes(k.status)) throw new ProblemError(409, 'not-current', `The key ${keyId} is ${k.status}; only a current key can be suspended.`);
        if (!suspended && k.status !== 'suspended') throw new ProblemError(409, 'not-suspended', `The key ${keyId} is not suspended.`);
        await tx
          .update(apiKeys)
          .set(suspended ? { status: 'suspended', statusReason: `suspended by an admin (${adminId})` } : { status: 'committing', statusReason: null })
          .where(eq(apiKeys.keyId, keyId));
        await enqueue(tx, requestId, adminId, `${suspended ? 'Suspend' : 'Resume'} key ${keyId} of ${k.applicationId}`);
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
        const [s] = await tx
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.requestId, requestId), eq(subscriptions.status, 'pending-approval')))
          .for('update');
        if (!s) throw new ProblemError(404, 'no-request', `There is no request ${requestId} waiting for approval.`);
        const [app] = await tx.select().from(applications).where(eq(applications.id, s.applicationId));
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
        const [s] = await tx
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.requestId, requestId), eq(subscriptions.status, 'pending-approval')))
          .for('update');
        if (!s) throw new ProblemError(404, 'no-request', `There is no request ${requestId} waiting for approval.`);
        const [app] = await tx.select().from(applications).where(eq(applications.id, s.applicationId));
        await tx
          .update(subscriptions)
          .set({ status: 'rejected', statusReason: `rejected by ${adminId}${reason ? `: ${reason}` : ''}`, endedAt: new Date() })
          .where(eq(subscriptions.id, s.id));
        if (s.branch) await enqueue(tx, requestId, app!.ownerId, `Close ${s.branch}: rejected`, { action: 'close', branch: s.branch });
        return { requestId, status: 'rejected' };
      });
    },

    /** When the next key expires or ends its rotation overlap, so the sweep can run then and not an interval later. */
    async nextKeyDeadline(now = new Date()): Promise<Date | undefined> {
      const [row] = await db
        .select({ expires: sql<Date | null>`min(${apiKeys.expiresAt})`, retires: sql<Date | null>`min(${apiKeys.retireAt})` })
        .from(apiKeys)
        .where(and(inArray(apiKeys.status, [...ENFORCED, 'suspended']), or(gt(apiKeys.expiresAt, now), gt(apiKeys.retireAt, now))));
      const times = [row?.expires, row?.retires]
        .filter((t): t is Date => t !== null && t !== undefined)
        .map((t) => new Date(t))
        .filter((t) => t > now);
      return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
    },

    /**
     * Queues the removal of keys whose rotation overlap ended or whose expiry passed: the gateway
     * refuses an expired key itself where it can, and Git should not keep what nobody may use.
     */
    async sweep(now = new Date()) {
      return db.transaction(async (tx) => {
        const due = await tx
          .select()
          .from(apiKeys)
          .where(and(inArray(apiKeys.status, [...ENFORCED, 'suspended']), or(lte(apiKeys.retireAt, now), lte(apiKeys.expiresAt, now))))
          .for('update', { skipLocked: true });
        for (const k of due) {
          const retired = k.retireAt !== null && k.retireAt <= now;
          await tx
            .update(apiKeys)
            .set({ status: 'revoking', statusReason: retired ? `${k.statusReason ?? 'rotated'}; overlap ended` : `expired at ${k.expiresAt!.toISOString()}` })
            .where(eq(apiKeys.keyId, k.keyId));
          const [app] = await tx.select().from(applications).where(eq(applications.id, k.applicationId));
          await enqueue(tx, newId('req'), app?.ownerId ?? 'portico', `${retired ? 'Retire rotated' : 'Remove expired'} key ${k.keyId} of ${k.applicationId}`);
        }
        return due.map((k) => k.keyId);
      });
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;

/** A grant still waiting for approval, with the application it belongs to. */
export interface PendingGrant {
  applicationId: string;
  requestId: string | null;
  subscription: Grant['subscriptions'][number];
}

/**
 * Everything Git must enforce, read in one query set: what every renderer takes. Pending
 * (pull-request) subscriptions are returned beside it, for proposals and for honouring a merge
 * made on the Git host before the reconciler saw it.
 */
export async function loadGrants(db: Database | Tx): Promise<Grant[]> {
  return (await loadGrantState(db)).grants;
}

export async function loadGrantState(db: Database | Tx): Promise<{ grants: Grant[]; pending: PendingGrant[] }> {
  const apps = await db.select().from(applications).where(isNull(applications.deletedAt));
  if (apps.length === 0) return { grants: [], pending: [] };
  const ids = apps.map((a) => a.id);
  const subs = await db
    .select()
    .from(subscriptions)
    .where(and(inArray(subscriptions.applicationId, ids), inArray(subscriptions.status, [...ENFORCED, 'pending-approval'])));
  const keys = await db
    .select()
    .from(apiKeys)
    .where(and(inArray(apiKeys.applicationId, ids), inArray(apiKeys.status, [...ENFORCED, 'suspended'])));
  const toGrant = (s: typeof subscriptions.$inferSelect) => ({ id: s.id, offer: s.offer, apis: s.apis, bundles: s.bundles, plan: s.plan, operationFilter: s.operationFilter });
  const grants = apps.map((a) => ({
    applicationId: a.id,
    ownerId: a.ownerId,
    applicationName: a.name,
    namespace: a.namespace,
    subscriptions: subs.filter((s) => s.applicationId === a.id && s.status !== 'pending-approval').map(toGrant),
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
  const pending = subs.filter((s) => s.status === 'pending-approval').map((s) => ({ applicationId: s.applicationId, requestId: s.requestId, subscription: toGrant(s) }));
  return { grants, pending };
}

/** The grants with some pending subscriptions added: a proposal's state, or merges found on the branch. */
export function withPending(grants: Grant[], pending: PendingGrant[]): Grant[] {
  if (pending.length === 0) return grants;
  return grants.map((g) => {
    const extra = pending.filter((p) => p.applicationId === g.applicationId).map((p) => p.subscription);
    return extra.length ? { ...g, subscriptions: [...g.subscriptions, ...extra] } : g;
  });
}
