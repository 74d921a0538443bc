import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { accounts, emailTokens, identities, personalAccessTokens } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { ProblemError } from '../errors.ts';
import { createAccessTokenService } from './access-tokens.ts';
import type { Mailer } from './mail.ts';
import { checkPasswordRules, hashPassword, verifyPassword } from './passwords.ts';
import { clearRateLimit, hitRateLimit, releaseRateLimit } from './rate-limit.ts';
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
  /** Failed sign-ins allowed per account from one client address, per window. */
  accountAttempts: number;
  /** Failed sign-ins allowed per client address, per window (whatever the account). */
  ipAttempts: number;
  windowSeconds: number;
  /** Sign-ups allowed per client address and hour. */
  signupsPerHour: number;
  /** Mails (reset links, confirmations) sent per recipient and hour; and per client address, four times that. */
  mailsPerHour: number;
  /** Personal access tokens created per account and hour. */
  tokensPerHour: number;
  publicUrl: string;
}

export const DEFAULT_POLICY: Omit<AccountPolicy, 'adminEmails' | 'adminGroups' | 'publicUrl'> = {
  accountAttempts: 5,
  ipAttempts: 30,
  windowSeconds: 15 * 60,
  signupsPerHour: 20,
  mailsPerHour: 5,
  tokensPerHour: 20,
};

/** What sign-up answers, whether the address is new or taken: nothing to learn about who has an account. */
export const SIGN_UP_SENT = 'Check your mail: we sent a link to this address. Open it to confirm the address and sign in.';

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
    // Rights tied to an email address (admin by PORTICO_ADMIN_EMAILS, groups an admin assigned to
    // that address) need the address confirmed: anyone can sign up with any address. Groups from an
    // identity provider are that provider's claim and count as they are.
    const confirmed = row.emailVerified;
    const assigned = confirmed ? row.assignedGroups : [];
    const groups = [...new Set([...assigned, ...row.providerGroups])].sort();
    return {
      id: row.id,
      email: row.email,
      emailVerified: row.emailVerified,
      displayName: row.displayName,
      groups,
      assignedGroups: [...row.assignedGroups].sort(),
      admin: (confirmed && policy.adminEmails.includes(row.email)) || groups.some((g) => policy.adminGroups.includes(g)),
      hasPassword: row.passwordHash !== null,
      createdAt: row.createdAt,
    };
  };

  const byEmail = async (email: string) => (await db.select().from(accounts).where(eq(accounts.email, email)).limit(1))[0];
  const byId = async (id: string) => (await db.select().from(accounts).where(eq(accounts.id, id)).limit(1))[0];

  /** Counts one event before the work it guards (so parallel requests cannot all slip through); a 429 when over. */
  const limit = async (key: string, max: number, windowSeconds: number, what: string) => {
    const result = await hitRateLimit(db, key, max, windowSeconds);
    if (!result.allowed) {
      throw new ProblemError(429, 'too-many-requests', `Too many ${what}. Try again in ${result.retryAfterSeconds} seconds.`, { headers: { 'retry-after': String(result.retryAfterSeconds) } });
    }
  };
  /**
   * Mail asked for from one client address is limited (a 429 says so); mail to one recipient is
   * limited too, silently: a refusal there would tell whether an account has that address.
   */
  const mayMail = async (to: string, clientIp: string): Promise<boolean> => {
    await limit(`mail:ip:${clientIp}`, policy.mailsPerHour * 4, 3600, 'mails were asked for from your address');
    return (await hitRateLimit(db, `mail:to:${to}`, policy.mailsPerHour, 3600)).allowed;
  };

  const sendEmailLink = async (account: AccountRow, purpose: 'verify-email' | 'reset-password', next?: string) => {
    const id = generateSecureRandomString();
    const secret = generateSecureRandomString();
    await db.insert(emailTokens).values({ id, accountId: account.id, purpose, secretHash: hashSecret(secret), expiresAt: new Date(Date.now() + EMAIL_TOKEN_LIFETIME_MS) });
    // `next` is a path the caller checked (safeNext); the confirmation page checks it again.
    const link = `${policy.publicUrl}/account/${purpose}?token=${id}.${secret}${next && next !== '/account/' ? `&next=${encodeURIComponent(next)}` : ''}`;
    const mail =
      purpose === 'verify-email'
        ? { subject: 'Confirm your email address', body: `Open this link to confirm ${account.email} for your developer portal account:\n\n${link}\n\nThe link works for 24 hours.` }
        : {
            subject: 'Reset your password',
            body: `Someone (hopefully you) asked to reset the password of ${account.email}.\nOpen this link to choose a new one:\n\n${link}\n\nThe link works for 24 hours. If you did not ask, ignore this message.`,
          };
    await mailer.send({ to: account.email, ...mail, secrets: [`${id}.${secret}`] });
  };

  /**
   * Uses a mailed link once. `before` runs after the link is found valid and before it is used up,
   * so a check that fails there (a wrong password) leaves the link working.
   */
  const consumeEmailToken = async (token: unknown, purpose: 'verify-email' | 'reset-password', before?: (account: AccountRow) => Promise<void>): Promise<AccountRow> => {
    const parts = typeof token === 'string' ? splitToken(token) : undefined;
    const invalid = new ProblemError(400, 'invalid-link', 'This link is not valid any more. Ask for a new one.');
    if (!parts) throw invalid;
    const [row] = await db
      .select()
      .from(emailTokens)
      .where(and(eq(emailTokens.id, parts.id), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, new Date())))
      .limit(1);
    if (!row || !secretMatches(parts.secret, row.secretHash)) throw invalid;
    const account = await byId(row.accountId);
    if (!account) throw invalid;
    await before?.(account);
    // Used once: of two requests with the same link, only the one that marks it used goes on.
    const used = await db
      .update(emailTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(emailTokens.id, row.id), isNull(emailTokens.usedAt)))
      .returning({ id: emailTokens.id });
    if (used.length === 0) throw invalid;
    return account;
  };

  /**
   * After a password reset or change, or "sign out everywhere": every session, every personal access
   * token and every link still outstanding in someone's mailbox stops working, so whoever had the
   * account before is out.
   */
  const revokeCredentials = async (accountId: string) => {
    await sessions.invalidateAll(accountId);
    await db.delete(personalAccessTokens).where(eq(personalAccessTokens.accountId, accountId));
    await db
      .update(emailTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(emailTokens.accountId, accountId), isNull(emailTokens.usedAt)));
  };

  const service = {
    toView,
    revokeCredentials,

    async get(id: string): Promise<AccountView | undefined> {
      const row = await byId(id);
      return row ? toView(row) : undefined;
    },

    /**
     * Starts a sign-up: a new address gets an account and a link to confirm it (which signs in); a
     * taken address gets a mail telling its owner, and the caller the same answer either way, in
     * about the same time (the password is hashed in both cases).
     */
    async signUp(input: { email: unknown; password: unknown; next?: string }, clientIp: string): Promise<void> {
      const email = normaliseEmail(input.email);
      if (!email) throw new ProblemError(400, 'invalid-email', 'Enter a valid email address.');
      const rule = checkPasswordRules(input.password);
      if (rule) throw new ProblemError(400, 'weak-password', `${rule[0]!.toUpperCase()}${rule.slice(1)}.`);
      await limit(`signup:ip:${clientIp}`, policy.signupsPerHour, 3600, 'sign-ups from your address');
      const passwordHash = await hashPassword(input.password as string);
      const id = generateSecureRandomString();
      const created = (await byEmail(email))
        ? false
        : await db
            .insert(accounts)
            .values({ id, email, passwordHash })
            .then(
              () => true,
              () => false, // taken a moment ago by a parallel sign-up
            );
      if (!(await mayMail(email, clientIp))) return;
      if (created) {
        await sendEmailLink((await byId(id))!, 'verify-email', input.next);
      } else {
        await mailer.send({
          to: email,
          subject: 'Someone tried to create an account with your address',
          body: `Someone (hopefully you) tried to create a developer portal account with ${email}, which already has one.\nSign in at ${policy.publicUrl}/account/sign-in/ or, if you forgot the password, reset it at ${policy.publicUrl}/account/reset-password/.\n\nIf it was not you, you need not do anything: nothing was changed.`,
        });
      }
    },

    /**
     * Confirms the address with the mailed link and signs in. A password account also needs its
     * password: anyone can sign up with someone else's address, and the owner who opens the link
     * must not confirm an account whose password a stranger chose (that stranger would then hold a
     * confirmed account, an admin one if the address is listed). The owner resets the password instead.
     */
    async confirmEmailAndSignIn(token: unknown, password: unknown): Promise<{ token: string; account: AccountView; expiresAt: Date }> {
      const account = await consumeEmailToken(token, 'verify-email', async (row) => {
        if (row.passwordHash && !(await verifyPassword(row.passwordHash, typeof password === 'string' ? password : ''))) {
          throw new ProblemError(
            400,
            'wrong-password',
            'This is not the password chosen when the account was made. If you did not make it yourself, reset the password instead: that confirms the address too.',
          );
        }
      });
      await db.update(accounts).set({ emailVerified: true }).where(eq(accounts.id, account.id));
      const session = await sessions.create(account.id);
      return { token: session.token, account: toView({ ...account, emailVerified: true }), expiresAt: session.session.expiresAt };
    },

    /**
     * Checks email and password. Each attempt is counted before the password is checked (one
     * statement per count, so parallel attempts cannot outrun the limit), per client address and
     * per account from that address: someone elsewhere cannot lock a person out. A success takes
     * its counts back, so a team behind one address can all sign in.
     */
    async signIn(input: { email: unknown; password: unknown }, clientIp: string): Promise<{ token: string; account: AccountView; expiresAt: Date }> {
      const email = normaliseEmail(input.email) ?? '';
      const password = typeof input.password === 'string' ? input.password : '';
      const ipKey = `signin:ip:${clientIp}`;
      const accountKey = `signin:account:${email}:${clientIp}`;
      const ip = await hitRateLimit(db, ipKey, policy.ipAttempts, policy.windowSeconds);
      const perAccount = await hitRateLimit(db, accountKey, policy.accountAttempts, policy.windowSeconds);
      const blocked = !ip.allowed ? ip : !perAccount.allowed ? perAccount : undefined;
      if (blocked) {
        throw new ProblemError(429, 'too-many-attempts', `Too many sign-in attempts. Try again in ${blocked.retryAfterSeconds} seconds.`, {
          headers: { 'retry-after': String(blocked.retryAfterSeconds) },
        });
      }
      const row = email ? await byEmail(email) : undefined;
      const ok = await verifyPassword(row?.passwordHash, password);
      if (!row || !ok) throw new ProblemError(401, 'bad-credentials', BAD_CREDENTIALS);
      await releaseRateLimit(db, ipKey);
      await clearRateLimit(db, accountKey);
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
      await db
        .update(accounts)
        .set({ passwordHash: await hashPassword(input.newPassword as string) })
        .where(eq(accounts.id, accountId));
      await revokeCredentials(accountId);
      const { token, session } = await sessions.create(accountId);
      return { token, expiresAt: session.expiresAt };
    },

    /** Deletes the account; its sessions, tokens and identities go with it (foreign keys cascade). */
    async deleteAccount(accountId: string): Promise<void> {
      await db.delete(accounts).where(eq(accounts.id, accountId));
    },

    /** Mails a reset link when the address has an account; answers alike either way. */
    async requestPasswordReset(emailInput: unknown, clientIp: string): Promise<void> {
      const email = normaliseEmail(emailInput);
      if (!email) return;
      if (!(await mayMail(email, clientIp))) return;
      const row = await byEmail(email);
      if (row) await sendEmailLink(row, 'reset-password'); // silent otherwise: nothing to learn about who has an account
    },

    async resetPassword(token: unknown, newPassword: unknown): Promise<void> {
      const rule = checkPasswordRules(newPassword);
      if (rule) throw new ProblemError(400, 'weak-password', `${rule[0]!.toUpperCase()}${rule.slice(1)}.`);
      const account = await consumeEmailToken(token, 'reset-password');
      await db
        .update(accounts)
        .set({ passwordHash: await hashPassword(newPassword as string), emailVerified: true })
        .where(eq(accounts.id, account.id));
      await revokeCredentials(account.id);
    },

    /** Sends the confirmation link again (limited per recipient and client address, with a 429 that says when to retry). */
    async resendVerification(accountId: string, clientIp: string): Promise<void> {
      const row = await byId(accountId);
      if (!row || row.emailVerified) return;
      await limit(`mail:ip:${clientIp}`, policy.mailsPerHour * 4, 3600, 'mails were asked for from your address');
      await limit(`mail:to:${row.email}`, policy.mailsPerHour, 3600, 'confirmation mails were sent to this address');
      await sendEmailLink(row, 'verify-email');
    },

    /**
     * Signs in through an external identity: the identity's account, else the account with the same
     * verified email (linked now), else a new account. Groups come from the provider each time.
     */
    async signInWithIdentity(input: { provider: string; subject: string; email?: string; emailVerified: boolean; name?: string; groups: string[] }) {
      const [linked] = await db
        .select()
        .from(identities)
        .where(and(eq(identities.provider, input.provider), eq(identities.subject, input.subject)))
        .limit(1);
      let row = linked ? await byId(linked.accountId) : undefined;
      const email = normaliseEmail(input.email);
      if (!row) {
        if (!email) throw new ProblemError(400, 'no-email', 'The identity provider did not give an email address; Portico needs one to create your account.');
        const existing = await byEmail(email);
        if (existing && !input.emailVerified) {
          throw new ProblemError(
            409,
            'unverified-email',
            `An account with ${email} exists, and the identity provider has not verified that address, so they cannot be linked. Sign in with your password instead.`,
          );
        }
        row = existing;
        if (!row) {
          const id = generateSecureRandomString();
          await db.insert(accounts).values({ id, email, emailVerified: input.emailVerified, displayName: input.name ?? null });
          row = (await byId(id))!;
        }
        await db.insert(identities).values({ provider: input.provider, subject: input.subject, accountId: row.id }).onConflictDoNothing();
      }
      await db
        .update(accounts)
        .set({ providerGroups: [...new Set(input.groups)].sort(), emailVerified: row.emailVerified || input.emailVerified })
        .where(eq(accounts.id, row.id));
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
      await db
        .update(accounts)
        .set({ assignedGroups: [...new Set(groups as string[])].sort() })
        .where(eq(accounts.id, accountId));
      const row = await byId(accountId);
      if (!row) throw new ProblemError(404, 'no-account', 'There is no such account.');
      return toView(row);
    },
  };
  return { ...service, ...createAccessTokenService(db, policy.tokensPerHour, limit, (id) => service.get(id)) };
}

export type AccountService = ReturnType<typeof createAccountService>;
