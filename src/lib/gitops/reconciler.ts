import { and, eq, inArray, isNotNull, like, sql } from 'drizzle-orm';
import { apiKeys, applications, subscriptions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { GitWorkspace } from './git.ts';
import type { KnownGrants, RenderedFiles } from './render/types.ts';

/**
 * Which grants a branch's files carry: subscription id -> file and key id -> file. `known` is the
 * reconcile pass's own read of the database, never an earlier one: a grant another instance
 * committed just before the pass must be recognised in the files, or it would look removed.
 */
export type Presence = (files: RenderedFiles, known: KnownGrants) => { subscriptions: Map<string, string>; keys: Map<string, string> };

/** A grant whose Git state differs from what the database says: for the admin area and the metrics. */
export interface Drift {
  kind: 'subscription' | 'key';
  id: string;
  applicationId?: string;
  /** What the database says. */
  database: string;
  /** Whether the target branch grants it. */
  git: 'present' | 'absent';
  reason: string;
  commit?: string;
}

export interface ReconcileResult {
  tip: string;
  activated: string[];
  revoked: Array<{ id: string; reason: string }>;
  /** Pull-request grants whose branch was deleted on the Git host without being merged. */
  closed: string[];
  drift: Drift[];
}

const GRANTED = ['committed', 'active'];

/**
 * Git is the source of truth for what the gateway enforces. Reads the target branch: a committed
 * grant that is there becomes active (a pull-request grant too, once its branch is merged, here or
 * on the Git host); a grant that is no longer there (a `git revert`, a person's edit) becomes
 * revoked, with the commit that removed it, so the consumer sees why. What Git grants and the
 * database does not is reported as drift. Idempotent: safe to run anywhere, as often as wanted.
 */
export async function reconcile(
  db: Database,
  workspace: GitWorkspace,
  folder: string,
  presence: Presence,
  /** Which keys the configured gateways carry: traefik-hub needs the encrypted Secret, haproxy takes every key. */
  expectsKey: (key: { encryptedSecret: string | null }) => boolean = (k) => k.encryptedSecret !== null,
  /** The folders (below `folder`) that hold one application's files, for naming the commit that removed a grant. */
  applicationFolders: (namespace: string, applicationId: string) => string[] = (namespace, applicationId) => [`traefik-hub/${namespace}/${applicationId}`],
): Promise<ReconcileResult> {
  // The database first, then the branch: a grant another instance commits in between is pushed
  // before its status says so, so this pass never takes a fresh grant for one a person removed.
  const apps = new Map((await db.select().from(applications)).map((a) => [a.id, a]));
  const subs = await db.select().from(subscriptions);
  const keys = await db
    .select()
    .from(apiKeys)
    .where(inArray(apiKeys.status, [...GRANTED, 'committing', 'revoking', 'revoked']));
  const tip = await workspace.sync();
  const present = presence(workspace.readFolder(folder), { keys, subscriptions: subs });
  const result: ReconcileResult = { tip, activated: [], revoked: [], closed: [], drift: [] };

  const whyGone = async (applicationId: string): Promise<{ reason: string; commit?: string }> => {
    const app = apps.get(applicationId);
    const folders = app ? applicationFolders(app.namespace, applicationId).map((f) => `${folder}/${f}`) : [];
    const last = folders.length ? await workspace.lastCommitTouching(folders) : undefined;
    if (!last) return { reason: `no longer on ${workspace.target.branch}` };
    return { reason: `removed from ${workspace.target.branch} by ${last.sha.slice(0, 12)} "${last.subject}" (${last.author})`, commit: last.sha };
  };

  // Grants the branch carries become active: one statement per status they move from, however many
  // there are (a busy pass settles hundreds), each conditional on that status.
  const activateSubscriptions = async (ids: string[], from: string) => {
    if (!ids.length) return;
    const rows = await db
      .update(subscriptions)
      .set({ status: 'active', statusReason: null, statusCommit: tip })
      .where(and(inArray(subscriptions.id, ids), eq(subscriptions.status, from)))
      .returning({ id: subscriptions.id });
    result.activated.push(...rows.map((r) => r.id));
  };
  // A rotated key keeps the reason that says until when the old one works; any other reason is cleared.
  const activateKeys = async (ids: string[], from: string) => {
    if (!ids.length) return;
    const rows = await db
      .update(apiKeys)
      .set({ status: 'active', statusReason: sql`case when ${apiKeys.retireAt} is null then null else ${apiKeys.statusReason} end`, statusCommit: tip })
      .where(and(inArray(apiKeys.keyId, ids), eq(apiKeys.status, from)))
      .returning({ id: apiKeys.keyId });
    result.activated.push(...rows.map((r) => r.id));
  };

  // A pull-request grant the branch carries was merged (here or on the Git host).
  for (const from of ['committed', 'pending-approval'])
    await activateSubscriptions(
      subs.filter((x) => x.status === from && present.subscriptions.has(x.id)).map((x) => x.id),
      from,
    );
  // Granted ones the branch no longer carries were removed in Git: revoked, with the commit that removed them.
  for (const s of subs.filter((x) => GRANTED.includes(x.status) && !present.subscriptions.has(x.id))) {
    const { reason, commit } = await whyGone(s.applicationId);
    await db
      .update(subscriptions)
      .set({ status: 'revoked', statusReason: reason, statusCommit: commit ?? tip, endedAt: new Date() })
      .where(and(eq(subscriptions.id, s.id), eq(subscriptions.status, s.status)));
    result.revoked.push({ id: s.id, reason });
  }

  // A proposal whose branch is gone from the host, unmerged, was closed there: the request is rejected.
  const proposed = subs.filter((s) => s.status === 'pending-approval' && s.branch && s.statusCommit && !present.subscriptions.has(s.id));
  if (proposed.length) {
    const open = await workspace.remoteBranches('portico/');
    for (const s of proposed.filter((x) => !open.has(x.branch!))) {
      await db
        .update(subscriptions)
        .set({ status: 'rejected', statusReason: `${s.branch} was deleted on the Git host without being merged`, endedAt: new Date() })
        .where(and(eq(subscriptions.id, s.id), eq(subscriptions.status, 'pending-approval'), isNotNull(subscriptions.statusCommit)));
      result.closed.push(s.id);
    }
  }

  // A writer that died between its push and its bookkeeping: what it pushed is settled from the branch.
  await activateSubscriptions(
    subs.filter((x) => x.status === 'committing' && present.subscriptions.has(x.id)).map((x) => x.id),
    'committing',
  );
  for (const s of subs.filter((x) => x.status === 'revoking' && !present.subscriptions.has(x.id))) {
    await db
      .update(subscriptions)
      .set({ status: 'revoked', statusCommit: tip, endedAt: new Date(), branch: null })
      .where(and(eq(subscriptions.id, s.id), eq(subscriptions.status, 'revoking')));
  }
  await activateKeys(
    keys.filter((x) => x.status === 'committing' && present.keys.has(x.keyId)).map((x) => x.keyId),
    'committing',
  );
  for (const k of keys.filter((x) => x.status === 'revoking' && !present.keys.has(x.keyId))) {
    await db
      .update(apiKeys)
      .set({ status: 'revoked', statusCommit: tip, revokedAt: new Date() })
      .where(and(eq(apiKeys.keyId, k.keyId), eq(apiKeys.status, 'revoking')));
  }

  await activateKeys(
    keys.filter((x) => x.status === 'committed' && present.keys.has(x.keyId)).map((x) => x.keyId),
    'committed',
  );
  for (const k of keys.filter((x) => GRANTED.includes(x.status) && !present.keys.has(x.keyId) && expectsKey(x))) {
    const { reason, commit } = await whyGone(k.applicationId);
    await db
      .update(apiKeys)
      .set({ status: 'revoked', statusReason: reason, statusCommit: commit ?? tip, revokedAt: new Date() })
      .where(and(eq(apiKeys.keyId, k.keyId), eq(apiKeys.status, k.status)));
    result.revoked.push({ id: k.keyId, reason });
  }

  // Drift: what Git grants that the database does not, and what Git took away behind Portico's back.
  const subsById = new Map(subs.map((s) => [s.id, s]));
  for (const [id, file] of present.subscriptions) {
    const s = subsById.get(id);
    if (!s || ['revoked', 'rejected'].includes(s.status)) {
      result.drift.push({ kind: 'subscription', id, applicationId: s?.applicationId, database: s?.status ?? 'unknown', git: 'present', reason: `${folder}/${file} still grants it` });
    }
  }
  for (const k of keys.filter((x) => x.status === 'revoked' && present.keys.has(x.keyId))) {
    result.drift.push({ kind: 'key', id: k.keyId, applicationId: k.applicationId, database: k.status, git: 'present', reason: `${folder}/${present.keys.get(k.keyId)} still carries it` });
  }
  const removedInGit = (rows: Array<{ id: string; applicationId: string; status: string; statusReason: string | null; statusCommit: string | null }>, kind: Drift['kind']) =>
    rows.map((r): Drift => ({ kind, id: r.id, applicationId: r.applicationId, database: r.status, git: 'absent', reason: r.statusReason ?? 'removed in Git', commit: r.statusCommit ?? undefined }));
  result.drift.push(
    ...removedInGit(
      await db
        .select({ id: subscriptions.id, applicationId: subscriptions.applicationId, status: subscriptions.status, statusReason: subscriptions.statusReason, statusCommit: subscriptions.statusCommit })
        .from(subscriptions)
        .where(and(eq(subscriptions.status, 'revoked'), like(subscriptions.statusReason, 'removed from %'))),
      'subscription',
    ),
    ...removedInGit(
      await db
        .select({ id: apiKeys.keyId, applicationId: apiKeys.applicationId, status: apiKeys.status, statusReason: apiKeys.statusReason, statusCommit: apiKeys.statusCommit })
        .from(apiKeys)
        .where(and(eq(apiKeys.status, 'revoked'), like(apiKeys.statusReason, 'removed from %'))),
      'key',
    ),
  );
  return result;
}
