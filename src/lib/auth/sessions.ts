import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './tokens.ts';

/** A session lives 30 days from its last use (sliding expiry). */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;
/** It is extended once less than half its lifetime is left, so a busy session writes rarely. */
const RENEW_WHEN_LEFT_MS = SESSION_LIFETIME_MS / 2;

export interface Session {
  id: string;
  accountId: string;
  expiresAt: Date;
}

export interface SessionStore {
  /** Creates a session; the token is returned once, to be put in the cookie, and never stored. */
  create(accountId: string): Promise<{ token: string; session: Session }>;
  /** The session for a token, extended if due; undefined for an unknown, tampered or expired token. */
  validate(token: string): Promise<{ session: Session; renewed: boolean } | undefined>;
  invalidate(sessionId: string): Promise<void>;
  invalidateAll(accountId: string): Promise<void>;
}

/** Sessions after Lucia's design (lucia-auth `code/auth_session.ts`), on our database. */
export function createSessionStore(db: Database, now: () => number = Date.now): SessionStore {
  return {
    async create(accountId) {
      const id = generateSecureRandomString();
      const secret = generateSecureRandomString();
      const expiresAt = new Date(now() + SESSION_LIFETIME_MS);
      await db.insert(sessions).values({ id, accountId, secretHash: hashSecret(secret), expiresAt });
      return { token: `${id}.${secret}`, session: { id, accountId, expiresAt } };
    },

    async validate(token) {
      const parts = splitToken(token);
      if (!parts) return undefined;
      const [row] = await db.select().from(sessions).where(eq(sessions.id, parts.id)).limit(1);
      if (!row || !secretMatches(parts.secret, row.secretHash)) return undefined;
      const t = now();
      if (row.expiresAt.getTime() <= t) {
        await db.delete(sessions).where(eq(sessions.id, row.id));
        return undefined;
      }
      let expiresAt = row.expiresAt;
      let renewed = false;
      if (expiresAt.getTime() - t < RENEW_WHEN_LEFT_MS) {
        expiresAt = new Date(t + SESSION_LIFETIME_MS);
        await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, row.id));
        renewed = true;
      }
      return { session: { id: row.id, accountId: row.accountId, expiresAt }, renewed };
    },

    async invalidate(sessionId) {
      await db.delete(sessions).where(eq(sessions.id, sessionId));
    },

    async invalidateAll(accountId) {
      await db.delete(sessions).where(eq(sessions.accountId, accountId));
    },
  };
}
