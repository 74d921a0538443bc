import { and, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import { apiKeys, applications } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ENFORCED, enqueue, newId } from './requests.ts';

/** The key sweep: removes keys whose expiry passed or whose rotation overlap ended. */
export function createKeySweep(db: Database) {
  return {
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
