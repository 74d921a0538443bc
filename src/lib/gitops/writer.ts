import { asc, eq, isNull } from 'drizzle-orm';
import { apiKeys, outbox, subscriptions } from '../../../db/schema.ts';
import { loadGrantState, withPending } from './grants.ts';
import type { Database } from '../db/client.ts';
import { exclusiveLock } from '../db/exclusive.ts';
import { GitError, type GitWorkspace } from './git.ts';
import { publishRendered } from './publish.ts';
import { renderSkippingRefused, type RefusedGrant } from './render/refusals.ts';
import { markStatuses, recordOutcomes, type Marks, type Outcome } from './writer-statuses.ts';
import type { Grant, RenderedFiles } from './render/types.ts';

/** The advisory lock that elects the one writer among all portal instances sharing a database. */
export const WRITER_LOCK = 7_402_112_991n;

/**
 * Per working copy: the branch tip up to which every request a commit names is known to be
 * recorded, because this process pushed that tip and recorded the pass. While the remote's tip is
 * still there, no commit can name an unrecorded request, and step 0 need not read the history.
 */
const settledTips = new WeakMap<GitWorkspace, string>();

type OutboxRow = typeof outbox.$inferSelect;

export interface BranchOutcome {
  requestId: string;
  branch: string;
  action: 'propose' | 'close';
  commit?: string;
  error?: string;
}

export type DrainResult =
  | { outcome: 'idle' }
  | { outcome: 'locked' }
  | { outcome: 'published'; requests: string[]; commit: string; newCommit: boolean; branches: BranchOutcome[]; timings: DrainTimings; refused: RefusedGrant[] }
  | { outcome: 'failed'; requests: string[]; error: string; retryable: boolean; branches: BranchOutcome[] };

/** For the metrics: how long the published requests waited, and how long the push took. */
export interface DrainTimings {
  /** Seconds from each published request's outbox row to the commit that carries it (or found it already there). */
  requestToCommit: number[];
  /** Seconds the accepted push took after the commit, or undefined when nothing needed pushing. */
  commitToPush?: number;
  /**
   * Milliseconds of the pass by step: taking the writer lock, reading the queue and grants
   * (snapshot), the Git operations (sync, log, write, commit, push), rendering, recording the
   * outcome, and the total: where a pass's time goes, in the writer's log line.
   */
  ms?: Record<string, number>;
}

export interface WriterOptions {
  /**
   * Reads which subscriptions the target branch holds. With it, a pending grant whose proposal was
   * merged on the Git host is kept in every later render, even before the reconciler has seen the merge.
   */
  presence?: (files: RenderedFiles) => { subscriptions: Map<string, string> };
}

function trailersOf(rows: OutboxRow[]): Array<[string, string]> {
  return [...rows.map((p): [string, string] => ['Portico-Request', p.requestId]), ...[...new Set(rows.map((p) => p.consumerId))].map((c): [string, string] => ['Portico-Consumer', c])];
}

function messageOf(rows: OutboxRow[]): string {
  return rows.length === 1 ? rows[0]!.summary : `Apply ${rows.length} grant changes\n\n${rows.map((p) => `- ${p.summary}`).join('\n')}`;
}

function describeError(err: unknown, workspace: GitWorkspace): { error: string; retryable: boolean } {
  const message = (err as Error).message ?? String(err);
  // A full disk is the machine's state, not a Portico bug: said plainly, with where, and retried.
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC' || /no space left on device|out of disk ?space/i.test(message)) {
    return { error: `the disk is full where Portico keeps its Git working copy (${workspace.dir}): free some space there; Portico tries again`, retryable: true };
  }
  return err instanceof GitError ? { error: err.message, retryable: err.retryable } : { error: `unexpected: ${message}`, retryable: false };
}

/**
 * One pass of the writer: if this instance holds the writer lock, render the whole grant state onto
 * the target branch with the pending changes' trailers (merging approved proposals), push, and mark
 * them published; then push each new proposal to its own `portico/<request-id>` branch and delete
 * the branches of rejected ones.
 *
 * No database transaction is open while Git works: the state is read in one short repeatable-read
 * transaction, Git is fetched, committed and pushed with none open, and the outcome is recorded in
 * another short one. The writer lock (a session-level advisory lock on a connection of its own on
 * PostgreSQL, the process itself on the embedded database) keeps it to one writer. A crash releases
 * the lock and the pending rows stay pending for the next writer. A pass that pushed but could not
 * record it (a crash, the database going away) is recognised by the next one from the
 * `Portico-Request` trailers on the branch: those rows are recorded with the commit that names them,
 * and never named again. Nothing lost, nothing duplicated.
 */
export async function drainOutbox(db: Database, workspace: GitWorkspace, folder: string, render: (grants: Grant[]) => RenderedFiles, options: WriterOptions = {}): Promise<DrainResult> {
  const started = performance.now();
  const held = await exclusiveLock(db, WRITER_LOCK).tryRun(async () => {
    const lockedAt = performance.now();
    const result = await drainLocked(db, workspace, folder, render, options);
    if (result.outcome === 'published') result.timings.ms = { lock: lockedAt - started, ...result.timings.ms, total: performance.now() - started };
    return result;
  });
  return held.ran ? held.value : { outcome: 'locked' };
}

async function drainLocked(db: Database, workspace: GitWorkspace, folder: string, render: (grants: Grant[]) => RenderedFiles, options: WriterOptions): Promise<DrainResult> {
  const marks: Marks = { committed: { subscriptions: [], keys: [] }, revoked: { subscriptions: [], keys: [] }, merged: [], proposed: [], waiting: undefined, refused: [] };
  // Grants a gateway cannot enforce are left out of the render, each with its reason; the rest commit.
  let refused: RefusedGrant[] = [];
  const renderEnforceable = (grants: Grant[]): RenderedFiles => {
    const result = renderSkippingRefused(render, grants);
    refused = result.refused;
    return result.files;
  };
  // One snapshot for the queue and the state it renders (repeatable read): a change that commits
  // meanwhile is neither carried unnamed nor named uncarried; it waits for the next pass.
  workspace.takeTimings(); // a reconcile's or an earlier pass's time is not this pass's
  const snapshotStarted = performance.now();
  const snapshot = await db.transaction(
    async (tx) => {
      // The whole queue: the render carries every change in the snapshot, so every one is named.
      const pending = await tx.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.id));
      if (pending.length === 0) return undefined;
      const state = await loadGrantState(tx);
      // What this pass removes from Git, read now: a removal asked for meanwhile waits for the next pass.
      const revokingSubscriptions = (await tx.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.status, 'revoking'))).map((r) => r.id);
      const revokingKeys = (await tx.select({ id: apiKeys.keyId }).from(apiKeys).where(eq(apiKeys.status, 'revoking'))).map((r) => r.id);
      return { pending, state, revokingSubscriptions, revokingKeys };
    },
    { isolationLevel: 'repeatable read' },
  );
  if (!snapshot) return { outcome: 'idle' };
  const snapshotMs = performance.now() - snapshotStarted;
  let renderMs = 0;
  const { pending, state, revokingSubscriptions, revokingKeys } = snapshot;

  // What the Git work decides about the queue, recorded afterwards in one short transaction. Only
  // the writer writes outbox rows' outcomes, and it holds the lock, so nothing is overwritten.
  const outcomes: Outcome[] = [];
  const result: DrainResult = await (async (): Promise<DrainResult> => {
    let main = pending.filter((p) => p.action === 'render' || p.action === 'merge');
    const branches: BranchOutcome[] = [];
    let tip: string | undefined;
    let recorded: string[] = [];
    let newCommit = false;
    let synced: string | undefined;
    let timings: DrainTimings = { requestToCommit: [] };

    const markFailed = async (rows: OutboxRow[], error: string) => {
      if (rows.length) outcomes.push({ rows, published: false, error });
    };
    const markPublished = async (rows: OutboxRow[], commit: string | null) => {
      if (rows.length) outcomes.push({ rows, published: true, commit });
    };

    // 0. Requests an earlier pass pushed but could not record (the database went away between the
    //    push and the bookkeeping) are on the branch already: recorded with that commit, not named again.
    if (main.length) {
      try {
        synced = await workspace.sync();
        const named = synced === settledTips.get(workspace) ? new Map<string, string>() : await workspace.namedRequests();
        const already = main.filter((p) => named.has(p.requestId));
        for (const p of already) await markPublished([p], named.get(p.requestId)!);
        recorded = already.map((p) => p.requestId);
        main = main.filter((p) => !named.has(p.requestId));
        if (already.length && main.length === 0) {
          // Everything queued is on the branch: settle it as if this pass had pushed it.
          tip = synced;
          marks.tip = synced;
          marks.committed = { subscriptions: state.grants.flatMap((g) => g.subscriptions.map((s) => s.id)), keys: grantedKeyIds(state.grants) };
          marks.revoked = { subscriptions: revokingSubscriptions, keys: revokingKeys };
        }
      } catch {
        // The remote is away: step 1 reports it in words.
      }
    }

    // 1. The target branch: the whole state, with approved proposals merged.
    if (main.length) {
      const merges = [...new Set(main.filter((p) => p.action === 'merge' && p.branch).map((p) => p.branch!))];
      const merged: string[] = [];
      try {
        const prepare = async () => {
          merged.length = 0;
          const tips: string[] = [];
          for (const branch of merges) {
            const branchTip = await workspace.fetchBranch(branch);
            if (!branchTip) continue; // deleted on the host after merging there, or never pushed: the render carries the grant anyway
            merged.push(branch);
            if (!(await workspace.contains(branchTip))) tips.push(branchTip);
          }
          await workspace.startMerge(tips);
        };
        const renderOnTip = () => {
          const renderStarted = performance.now();
          try {
            if (!options.presence || state.pending.length === 0) return renderEnforceable(state.grants);
            const present = options.presence(workspace.readFolder(folder)).subscriptions;
            return renderEnforceable(
              withPending(
                state.grants,
                state.pending.filter((p) => present.has(p.subscription.id)),
              ),
            );
          } finally {
            renderMs += performance.now() - renderStarted;
          }
        };
        // Step 0's sync is where the first attempt starts, unless approved branches are merged (they are fetched on each fresh tip).
        const result = await publishRendered(workspace, folder, renderOnTip, messageOf(main), trailersOf(main), {
          prepare: merges.length ? prepare : undefined,
          synced: merges.length ? undefined : synced,
        });
        tip = result.tip;
        newCommit = result.commit !== undefined;
        await markPublished(main, result.tip);
        const committedAt = result.committedAt ?? Date.now();
        timings = { requestToCommit: main.map((p) => Math.max(0, (committedAt - p.createdAt.getTime()) / 1000)), commitToPush: result.pushSeconds };
        // What this render carried is now committed (only that: a request made meanwhile waits for the
        // next pass); the reconciler marks it active once it sees it on the branch.
        marks.tip = result.tip;
        const left = new Set(refused.flatMap((r) => [...r.subscriptionIds, ...r.keyIds]));
        marks.committed = {
          subscriptions: state.grants.flatMap((g) => g.subscriptions.map((s) => s.id)).filter((id) => !left.has(id)),
          keys: grantedKeyIds(state.grants).filter((id) => !left.has(id)),
        };
        marks.revoked = { subscriptions: revokingSubscriptions, keys: revokingKeys };
        marks.refused = refused;
        // Merged proposals: the branch has done its work.
        for (const branch of merged) await workspace.deleteBranch(branch).catch(() => undefined);
        marks.merged = [...merged];
      } catch (err) {
        const { error, retryable } = describeError(err, workspace);
        await markFailed(main, error);
        marks.waiting = error;
        return { outcome: 'failed', requests: main.map((p) => p.requestId), error, retryable, branches } as const;
      }
    }

    // 2. Proposals: the state of the target branch plus the one pending grant, on its own branch.
    for (const row of pending.filter((p) => p.action === 'propose')) {
      const branch = row.branch!;
      const grant = state.pending.find((p) => p.requestId === row.requestId);
      try {
        if (!grant) {
          await markPublished([row], null); // withdrawn or decided before it was proposed
          continue;
        }
        await workspace.sync();
        // Keep what the target branch already took from other proposals (merged on the Git host).
        const present = options.presence?.(workspace.readFolder(folder)).subscriptions;
        const merged = present ? state.pending.filter((p) => p !== grant && present.has(p.subscription.id)) : [];
        const proposal = renderSkippingRefused(render, withPending(state.grants, [...merged, grant]));
        const refusedHere = proposal.refused.find((r) => r.subscriptionIds.includes(grant.subscription.id));
        if (refusedHere) {
          // Nothing to propose: the gateway cannot enforce this grant. The owner and the admin read why.
          await markPublished([row], null);
          marks.refused.push(refusedHere);
          branches.push({ requestId: row.requestId, branch, action: 'propose', error: `not proposed: ${refusedHere.reason}` });
          continue;
        }
        workspace.writeFolder(folder, proposal.files);
        const commit = await workspace.commit(folder, row.summary, trailersOf([row]));
        const proposed = commit ?? (await workspace.sync());
        await workspace.pushBranch(branch);
        await markPublished([row], proposed);
        marks.proposed.push({ id: grant.subscription.id, commit: proposed, branch });
        branches.push({ requestId: row.requestId, branch, action: 'propose', commit: proposed });
      } catch (err) {
        const { error } = describeError(err, workspace);
        await markFailed([row], error);
        branches.push({ requestId: row.requestId, branch, action: 'propose', error });
      }
    }

    // 3. Rejected or withdrawn proposals: their branches go.
    for (const row of pending.filter((p) => p.action === 'close')) {
      try {
        await workspace.deleteBranch(row.branch!);
        await markPublished([row], null);
        branches.push({ requestId: row.requestId, branch: row.branch!, action: 'close' });
      } catch (err) {
        const { error } = describeError(err, workspace);
        await markFailed([row], error);
        branches.push({ requestId: row.requestId, branch: row.branch!, action: 'close', error });
      }
    }

    const failed = branches.find((b) => b.error);
    if (failed && !tip) return { outcome: 'failed', requests: branches.map((b) => b.requestId), error: failed.error!, retryable: true, branches } as const;
    return {
      outcome: 'published',
      requests: [...recorded, ...main.map((p) => p.requestId), ...branches.filter((b) => !b.error).map((b) => b.requestId)],
      commit: tip ?? branches.find((b) => b.commit)?.commit ?? '',
      newCommit,
      branches,
      timings,
      refused: marks.refused,
    } as const;
  })();
  const recordStarted = performance.now();
  await recordOutcomes(db, outcomes);
  await markStatuses(db, marks);
  if (result.outcome === 'published') {
    // Every request named up to this tip is recorded now (see settledTips).
    if (marks.tip) settledTips.set(workspace, marks.tip);
    result.timings.ms = { snapshot: snapshotMs, ...workspace.takeTimings(), render: renderMs, record: performance.now() - recordStarted };
  }
  return result;
}

/**
 * The keys a render grants: not the suspended ones, which it carries as refused. A suspended key
 * resumed while Git works is `committing` again when the pass records its outcome; marking it
 * committed by this render (which still had it suspended) would let the reconciler take it for
 * removed. It waits for the next pass, which renders it resumed.
 */
function grantedKeyIds(grants: Grant[]): string[] {
  return grants.flatMap((g) => g.keys.filter((k) => !k.suspended).map((k) => k.keyId));
}
