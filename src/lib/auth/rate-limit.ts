import { sql } from 'drizzle-orm';
import { rateLimits } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets, when not allowed. */
  retryAfterSeconds: number;
}

/**
 * Counts one event for `key` in a fixed window, in the database so every portal instance shares
 * the count. One statement (insert or increment, resetting an expired window), so concurrent
 * requests cannot both slip through.
 */
export async function hitRateLimit(db: Database, key: string, limit: number, windowSeconds: number, now = new Date()): Promise<RateLimitResult> {
  const resetAt = new Date(now.getTime() + windowSeconds * 1000);
  const [row] = await db
    .insert(rateLimits)
    .values({ key, count: 1, resetAt })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.resetAt} <= ${now.toISOString()}::timestamptz then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${rateLimits.resetAt} <= ${now.toISOString()}::timestamptz then ${resetAt.toISOString()}::timestamptz else ${rateLimits.resetAt} end`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt });
  const allowed = row!.count <= limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((row!.resetAt.getTime() - now.getTime()) / 1000)) };
}

/** Forgets the count for `key` (after a successful sign-in, say). */
export async function clearRateLimit(db: Database, key: string): Promise<void> {
  await db.delete(rateLimits).where(sql`${rateLimits.key} = ${key}`);
}

/** Takes one counted event back (a sign-in that succeeded); never below zero. */
export async function releaseRateLimit(db: Database, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(sql`${rateLimits.key} = ${key}`);
}
