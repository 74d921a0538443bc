import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { accounts, emailTokens, identities, personalAccessTokens } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import type { Mailer } from './mail.ts';
import { checkPasswordRules, hashPassword, verifyPassword } from './passwords.ts';
import { checkRateLimit, clearRateLimit, hitRateLimit } from './rate-limit.ts';
import type { SessionStore } from './sessions.ts';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './tokens.ts';

/** What the rest of the portal knows about a signed-in person. */
export interface AccountView {
  id: string;
  email: string;
  emailVerified: boolean;
  displayName: string | null;
  /** Groups from the identity provider and from admins, sorted and without duplicates. */
  groups: string[];
  /** The groups an admin assigned (a part of `groups`). */
  assignedGroups: string[];
  admin: boolean;
  hasPassword: boolean;
  createdAt: Date;
}

export interface AccountPolicy {
  adminEmails: string[];
  adminGroups: string[];
  /** Failed sign-ins allowed per account and window. */
  accountAttempts: number;
  /** Sign-in attempts allowed per client IP and window. */
  ipAttempts: number;
  windowSeconds: number;
  publicUrl: string;
}

export const DEFAULT_POLICY: Omit<AccountPolicy, 'adminEmails' | 'adminGroups' | 'publicUrl'> = {
  accountAttempts: 5,
  ipAttempts: 30,
  windowSeconds: 15 * 60,
};

// The same words whether the email is unknown or the password wrong: nothing to learn about who has an account.
const BAD_CREDENTIALS = 'The email or the password is not right.';
const EMAIL_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

type AccountRow = typeof accounts.$inferSelect;

/** Normalises an email for storage and lookup; undefined when it is not an email address. */
export function normaliseEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254 ? email : undefined;
}

/** The account service: everything a person can do with their account, on any database. */
export function createAccountService(db: Database, sessions: SessionStore, mailer: Mailer, policy: AccountPolicy) {
  const toView = (row: AccountRow): AccountView => {
    const groups = [...new Set([...row.assignedGroups, ...row.providerGroups])].sort();
    return {
      id: row.id,
      email: row.email,
      emailVerified: row.emailVerified,
      displayName: row.displayName,
      groups,
      assignedGroups: [...row.assignedGroups].sort(),
      admin: policy.adminEmails.includes(row.email) || groups.some((g) => policy.adminGroups.includes(g)),
      hasPassword: row.passwordHash !== null,
      createdAt: row.createdAt,
    };
  };

  const byEmail = async (email: string) => (await db.select().from(accounts).where(eq(accounts.email, email)).limit(1))[0];
  const byId = async (id: string) => (await db.select().from(accounts).where(eq(accounts.id, id)).limit(1))[0];

  const sendEmailLink = async (account: AccountRow, purpose: 'verify-email' | 'reset-password') => {
    const id = generateSecureRandomString();
    const secret = generateSecureRandomString();
    await db.insert(emailTokens).values({ id, accountId: account.id, purpose, secretHash: hashSecret(secret), expiresAt: new Date(Date.now() + EMAIL_TOKEN_LIFETIME_MS) });
    const link = `${policy.publicUrl}/account/${purpose}?token=${id}.${secret}`;
    const mail =
      purpose === 'verify-email'
        ? { subject: 'Confirm your email address', body: `Open this link to confirm ${account.email} for your developer portal account:\n\n${link}\n\nThe link works for 24 hours.` }
        : { subject: 'Reset your password', body: `Someone (hopefully you) asked to reset the password of ${account.email}.\nOpen this link to choose a new one:\n\n${link}\n\nThe link works for 24 hours. If you did not ask, ignore this message.` };
    await mailer.send({ to: account.email, ...mail, secrets: [`${id}.${secret}`] });
  };

  const consumeEmailToken = async (token: unknown, purpose: 'verify-email' | 'reset-password'): Promise<AccountRow> => {
    const parts = typeof token === 'string' ? splitToken(token) : undefined;
    const invalid = new ProblemError(400, 'invalid-link', 'This link is not valid any more. Ask for a new one.');
    if (!parts) throw invalid;
    const [row] = await db
      .select()
      .from(emailTokens)
      .where(and(eq(emailTokens.id, parts.id), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, new Date())))
      .limit(1);
    if (!row || !secretMatches(parts.secret, row.secretHash)) throw invalid;
    await db.update(emailTokens).set({ usedAt: new Date() }).where(eq(emailTokens.id, row.id));
    const account = await byId(row.accountId);
    if (!account) throw invalid;
    return account;
  };

  return {
    toView,

    async get(id: string): Promise<AccountView | undefined> {
      const row = await byId(id);
      return row ? toView(row) : undefined;
    },

    /** Creates a password account and sends the verification mail. */
    async signUp(input: { email: unknown; password: unknown }): Promise<AccountView> {
      const email = normaliseEmail(input.email);
      if (!email) throw new ProblemError(400, 'invalid-email', 'Enter a valid email address.');
      const rule = checkPasswordRules(input.password);
      if (rule) throw new ProblemError(400, 'weak-password', `${rule[0]!.toUpperCase()}${rule.slice(1)}.`);
      if (await byEmail(email)) throw new ProblemError(409, 'email-taken', 'An account with this email already exists. Sign in, or reset the password.');
      const id = generateSecureRandomString();
      const passwordHash = await hashPassword(input.password as string);
      try {
        await db.insert(accounts).values({ id, email, passwordHash });
      } catch {
        throw new ProblemError(409, 'email-taken', 'An account with this email already exists. Sign in, or reset the password.');
      }
      const row = (await byId(id))!;
      await sendEmailLink(row, 'verify-email');
      return toView(row);
    },

    /** Checks email and password under per-account and per-IP limits; returns a new session token. */
    async signIn(input: { email: unknown; password: unknown }, clientIp: string): Promise<{ token: string; account: AccountView; expiresAt: Date }> {
      const email = normaliseEmail(input.email) ?? '';
      const password = typeof input.password === 'string' ? input.password : '';
      // Failures count, per account and per address; successes do not, so a team behind one NAT can all sign in.
      const ip = await checkRateLimit(db, `signin:ip:${clientIp}`, policy.ipAttempts);
      const perAccount = await checkRateLimit(db, `signin:account:${email}`, policy.accountAttempts);
      const blocked = !ip.allowed ? ip : !perAccount.allowed ? perAccount : undefined;
      if (blocked) {
        throw new ProblemError(429, 'too-many-attempts', `Too many sign-in attempts. Try again in ${blocked.retryAfterSeconds} seconds.`, {
          headers: { 'retry-after': String(blocked.retryAfterSeconds) },
        });
      }
      const row = email ? await byEmail(email) : undefined;
      const ok = await verifyPassword(row?.passwordHash, password);
      if (!row || !ok) {
        await hitRateLimit(db, `signin:ip:${clientIp}`, policy.ipAttempts, policy.windowSeconds);
        await hitRateLimit(db, `signin:account:${email}`, policy.accountAttempts, policy.windowSeconds);
        throw new ProblemError(401, 'bad-credentials', BAD_CREDENTIALS);
      }
      await clearRateLimit(db, `signin:account:${email}`);
      const { token, session } = await sessions.create(row.id);
      return { token, account: toView(row), expiresAt: session.expiresAt };
    },

    /** Changes the password, ends every session (whoever knew the old one is out) and opens a new one for the caller. */
    async changePassword(accountId: string, input: { currentPassword: unknown; newPassword: unknown }): Promise<{ token: string; expiresAt: Date }> {
      const row = await byId(accountId);
      if (!row) throw new ProblemError(404, 'no-account', 'This account does not exist any more.');
      if (row.passwordHash && !(await verifyPassword(row.passwordHash, String(input.currentPassword ?? '')))) {
        throw new ProblemError(400, 'bad-current-password', 'The current password is not right.');
      }
      const rule = checkPasswordRules(input.newPassword);
      if (rule) throw new ProblemError(400, 'weak-password', `${rule[0]!.toUpperCase()}${rule.slice(1)}.`);
      await db.update(accounts).set({ passwordHash: await hashPassword(input.newPassword as string) }).where(eq(accounts.id, accountId));
      await sessions.invalidateAll(accountId);
      const { token, session } = await sessions.create(accountId);
      return { token, expiresAt: session.expiresAt };
    },

    /** Deletes the account; its sessions, tokens and identities go with it (foreign keys cascade). */
    async deleteAccount(accountId: string): Promise<void> {
      await db.delete(accounts).where(eq(accounts.id, accountId));
    },

    async requestPasswordReset(emailInput: unknown): Promise<void> {
      const email = normaliseEmail(emailInput);
      const row = email ? await byEmail(email) : undefined;
      if (row) await sendEmailLink(row, 'reset-password'); // silent otherwise: nothing to learn about who has an account
    },

    async resetPassword(token: unknown, newPassword: unknown): Promise<void> {
      const rule = checkPasswordRules(newPassword);
      if (rule) throw new ProblemError(400, 'weak-password', `${rule[0]!.toUpperCase()}${rule.slice(1)}.`);
      const account = await consumeEmailToken(token, 'reset-password');
      await db.update(accounts).set({ passwordHash: await hashPassword(newPassword as string), emailVerified: true }).where(eq(accounts.id, account.id));
      await sessions.invalidateAll(account.id);
    },

    async verifyEmail(token: unknown): Promise<AccountView> {
      const account = await consumeEmailToken(token, 'verify-email');
      await db.update(accounts).set({ emailVerified: true }).where(eq(accounts.id, account.id));
      return toView({ ...account, emailVerified: true });
    },

    async resendVerification(accountId: string): Promise<void> {
      const row = await byId(accountId);
      if (row && !row.emailVerified) await sendEmailLink(row, 'verify-email');
    },

    /**
     * Signs in through an external identity: the identity's account, else the account with the same
     * verified email (linked now), else a new account. Groups come from the provider each time.
     */
    async signInWithIdentity(input: { provider: string; subject: string; email?: string; emailVerified: boolean; name?: string; groups: string[] }) {
      const [linked] = await db.select().from(identities).where(and(eq(identities.provider, input.provider), eq(identities.subject, input.subject))).limit(1);
      let row = linked ? await byId(linked.accountId) : undefined;
      const email = normaliseEmail(input.email);
      if (!row) {
        if (!email) throw new ProblemError(400, 'no-email', 'The identity provider did not give an email address; Portico needs one to create your account.');
        const existing = await byEmail(email);
        if (existing && !input.emailVerified) {
          throw new ProblemError(409, 'unverified-email', `An account with ${email} exists, and the identity provider has not verified that address, so they cannot be linked. Sign in with your password instead.`);
        }
        row = existing;
        if (!row) {
          const id = generateSecureRandomString();
          await db.insert(accounts).values({ id, email, emailVerified: input.emailVerified, displayName: input.name ?? null });
          row = (await byId(id))!;
        }
        await db.insert(identities).values({ provider: input.provider, subject: input.subject, accountId: row.id }).onConflictDoNothing();
      }
      await db.update(accounts).set({ providerGroups: [...new Set(input.groups)].sort(), emailVerified: row.emailVerified || input.emailVerified }).where(eq(accounts.id, row.id));
      row = (await byId(row.id))!;
      const { token, session } = await sessions.create(row.id);
      return { token, account: toView(row), expiresAt: session.expiresAt };
    },

    async list(): Promise<AccountView[]> {
      return (await db.select().from(accounts).orderBy(asc(accounts.email))).map(toView);
    },

    /** Sets the groups an admin assigns to an account. */
    async setAssignedGroups(accountId: string, groups: unknown): Promise<AccountView> {
      if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(g))) {
        throw new ProblemError(400, 'invalid-groups', 'Groups are a list of names made of letters, digits, dots, dashes, underscores and colons.');
      }
      await db.update(accounts).set({ assignedGroups: [...new Set(groups as string[])].sort() }).where(eq(accounts.id, accountId));
      const row = await byId(accountId);
      if (!row) throw new ProblemError(404, 'no-account', 'There is no such account.');
      return toView(row);
    },

    /** Creates a personal access token; the token is returned once and stored hashed. */
    async createAccessToken(accountId: string, name: unknown): Promise<{ id: string; name: string; token: string }> {
      if (typeof name !== 'string' || !name.trim() || name.length > 100) throw new ProblemError(400, 'invalid-name', 'Give the token a name of 1 to 100 characters.');
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
      return this.get(row.accountId);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
