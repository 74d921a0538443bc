import { and, eq, inArray } from 'drizzle-orm';
import { accounts, apiKeys, applications } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import { generateApiKey } from '../keys/format.ts';
import { type AccessLimits, type AccessOptions, ENFORCED, enqueue, newId, noApplication, ownedApplication, type Tx } from './requests.ts';

/** The longest overlap a rotation may keep the old key for: 30 days. */
export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

/** An encrypter for gateways that need the key itself (set when one is configured). */
export type EncryptSecret = (key: string, keyId: string) => string | Promise<string>;

/** API keys of an application: created, rotated, revoked, and suspended by an admin. */
export function createKeyService(db: Database, options: AccessOptions) {
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
        if (!app) throw noApplication();
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
  };
}
