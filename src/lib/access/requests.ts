/**
 * What every access request shares: its id, its outbox row (written in the caller's transaction, so
 * the Git writer can never miss it) and the check that the application is the caller's.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { applications, outbox } from '../../../db/schema.ts';
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import type { KeyEnvironment } from '../keys/format.ts';

/** A transaction of the portal's database, as drizzle hands it to `db.transaction`. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Statuses of a subscription or key that Git must enforce. */
export const ENFORCED = ['committing', 'committed', 'active'];

/** A short, unguessable, URL-safe id such as `app-k7m2q9x3w8ab`. */
export function newId(prefix: 'req' | 'app' | 'sub'): string {
  return `${prefix}-${generateSecureRandomString().slice(0, 12).toLowerCase()}`;
}

/** The branch a pull-request grant waits on. */
export function approvalBranch(requestId: string): string {
  return `portico/${requestId}`;
}

type OutboxAction = { action?: 'render' | 'propose' | 'merge' | 'close'; branch?: string };

/** Queues a grant change for the Git writer, inside the caller's transaction. */
export async function enqueue(tx: Tx, requestId: string, consumerId: string, summary: string, what: OutboxAction = {}): Promise<void> {
  await tx.insert(outbox).values({ requestId, consumerId, summary, action: what.action ?? 'render', branch: what.branch ?? null });
}

/** 404 for an application that does not exist or is not the caller's: the same answer, so ids cannot be probed. */
export const noApplication = () => new ProblemError(404, 'no-application', 'There is no such application.');

/** The owner's live application, read inside a transaction; 404 for anyone else's. */
export async function ownedApplication(tx: Tx | Database, ownerId: string, applicationId: string) {
  const [app] = await tx
    .select()
    .from(applications)
    .where(and(eq(applications.id, applicationId), eq(applications.ownerId, ownerId), isNull(applications.deletedAt)));
  if (!app) throw noApplication();
  return app;
}

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
