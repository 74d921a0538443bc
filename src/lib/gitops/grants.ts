import { and, inArray, isNull } from 'drizzle-orm';
import { apiKeys, applications, subscriptions } from '../../../db/schema.ts';
import { ENFORCED, type Tx } from '../access/requests.ts';
import type { Database } from '../db/client.ts';
import type { Grant } from './render/types.ts';

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

/** The grants Git must enforce and, beside them, the subscriptions still waiting for approval. */
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
