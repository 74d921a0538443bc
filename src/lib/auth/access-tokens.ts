import { and, asc, eq } from 'drizzle-orm';
import { personalAccessTokens } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import type { AccountView } from './accounts.ts';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './tokens.ts';

/** Counts one event against a limit and refuses (429) when over: the account service's `limit`. */
export type RateLimit = (key: string, max: number, windowSeconds: number, what: string) => Promise<void>;

/**
 * Personal access tokens (`pat_<id>.<secret>`): for scripts and the CLI, in place of a session. Only
 * a hash of the secret is stored; the token itself is in the one answer that creates it.
 */
export function createAccessTokenService(db: Database, tokensPerHour: number, limit: RateLimit, getAccount: (id: string) => Promise<AccountView | undefined>) {
  return {
    /** Creates a personal access token; the token is returned once and stored hashed. */
    async createAccessToken(accountId: string, name: unknown): Promise<{ id: string; name: string; token: string }> {
      if (typeof name !== 'string' || !name.trim() || name.length > 100) throw new ProblemError(400, 'invalid-name', 'Give the token a name of 1 to 100 characters.');
      await limit(`tokens:${accountId}`, tokensPerHour, 3600, 'access tokens were created');
      const id = generateSecureRandomString();
      const secret = generateSecureRandomString();
      await db.insert(personalAccessTokens).values({ id, accountId, name: name.trim(), secretHash: hashSecret(secret) });
      return { id, name: name.trim(), token: `pat_${id}.${secret}` };
    },

    async listAccessTokens(accountId: string) {
      return db
        .select({ id: personalAccessTokens.id, name: personalAccessTokens.name, createdAt: personalAccessTokens.createdAt, lastUsedAt: personalAccessTokens.lastUsedAt })
        .from(personalAccessTokens)
        .where(eq(personalAccessTokens.accountId, accountId))
        .orderBy(asc(personalAccessTokens.createdAt));
    },

    async revokeAccessToken(accountId: string, tokenId: string): Promise<void> {
      await db.delete(personalAccessTokens).where(and(eq(personalAccessTokens.id, tokenId), eq(personalAccessTokens.accountId, accountId)));
    },

    /** The account a `pat_<id>.<secret>` token belongs to; undefined for anything else. */
    async accountForAccessToken(token: string): Promise<AccountView | undefined> {
      const parts = token.startsWith('pat_') ? splitToken(token.slice(4)) : undefined;
      if (!parts) return undefined;
      const [row] = await db.select().from(personalAccessTokens).where(eq(personalAccessTokens.id, parts.id)).limit(1);
      if (!row || !secretMatches(parts.secret, row.secretHash)) return undefined;
      await db.update(personalAccessTokens).set({ lastUsedAt: new Date() }).where(eq(personalAccessTokens.id, row.id));
      return getAccount(row.accountId);
    },
  };
}
