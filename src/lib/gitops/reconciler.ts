import { eq, inArray } from 'drizzle-orm';
import { apiKeys, applications, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { GitWorkspace } from './git.ts';
import type { RenderedFiles } from './render/types.ts';

export type Presence = (files: RenderedFiles) => { subscriptions: Map<string, string>; keys: Map<string, string> };

export interface ReconcileResult {
  tip: string;
  activated: string[];
  revoked: Array<{ id: string; reason: string }>;
}

/**
 * Git is the source of truth for what the gateway enforces. Reads the target branch: a committed
 * grant that is there becomes active; a grant that is no longer there (a `git revert`, a person's
 * edit) becomes revoked, with the commit that removed it, so the consumer sees why. Idempotent:
 * safe to run anywhere, as often as wanted.
 */
export async function reconcile(
  db: Database,
  workspace: GitWorkspace,
  folder: string,
  presence: Presence,
  /** Which keys the configured gateways carry: traefik-hub needs the encrypted Secret, haproxy takes every key. */
  expectsKey: (key: { encryptedSecret: string | null }) => boolean = (k) => k.encryptedSecret !== null,
): Promise<ReconcileResult> {
  const tip = await workspace.sync();
  const present = presence(workspace.readFolder(folder));
  const result: ReconcileResult = { tip, activated: [], revoked: [] };
  const apps = new Map((await db.select().from(applications)).map((a) => [a.id, a]));

  const whyGone = async (applicationId: string): Promise<{ reason: string; commit?: string }> => {
    const app = apps.get(applicationId);
    const last = app ? await workspace.lastCommitTouching(`${folder}/traefik-hub/${app.namespace}/${applicationId}`) : undefined;
    if (!last) return { reason: `no longer on ${workspace.target.branch}` };
    return { reason: `removed from ${workspace.target.branch} by ${last.sha.slice(0, 12)} "${last.subject}" (${last.author})`, commit: last.sha };
  };

  for (const s of await db.select().from(subscriptions).where(inArray(subscriptions.status, ['committed', 'active']))) {
    if (present.subscriptions.has(s.id)) {
      if (s.status === 'committed') {
        await db.update(subscriptions).set({ status: 'active', statusReason: null, statusCommit: tip }).where(eq(subscriptions.id, s.id));
        result.activated.push(s.id);
      }
    } else {
      const { reason, commit } = await whyGone(s.applicationId);
      await db.update(subscriptions).set({ status: 'revoked', statusReason: reason, statusCommit: commit ?? tip, endedAt: new Date() }).where(eq(subscriptions.id, s.id));
      result.revoked.push({ id: s.id, reason });
    }
  }
  for (const k of await db.select().from(apiKeys).where(inArray(apiKeys.status, ['committed', 'active']))) {
    if (present.keys.has(k.keyId)) {
      if (k.status === 'committed') {
        await db.update(apiKeys).set({ status: 'active', statusReason: null, statusCommit: tip }).where(eq(apiKeys.keyId, k.keyId));
        result.activated.push(k.keyId);
      }
    } else if (expectsKey(k)) {
      const { reason, commit } = await whyGone(k.applicationId);
      await db.update(apiKeys).set({ status: 'revoked', statusReason: reason, statusCommit: commit ?? tip, revokedAt: new Date() }).where(eq(apiKeys.keyId, k.keyId));
      result.revoked.push({ id: k.keyId, reason });
    }
  }
  return result;
}
