import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, emailTokens, mailOutbox, personalAccessTokens, sessions } from '../../db/schema.ts';
import { createAccountService, DEFAULT_POLICY, type AccountService } from '../../src/lib/auth/accounts.ts';
import { createMailer } from '../../src/lib/auth/mail.ts';
import { createSessionStore, SESSION_LIFETIME_MS, type SessionStore } from '../../src/lib/auth/sessions.ts';
import { ProblemError } from '../../src/lib/errors.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';

const PASSWORD = 'correct horse battery';

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProblemError) return err;
    throw err;
  }
  throw new Error('expected a ProblemError, got success');
}

describe.each(ENGINES)('accounts on %s', (_engine, open) => {
  let handle: TestDatabase;
  let service: AccountService;
  let store: SessionStore;
  let clock = Date.now();
  const mailLog: string[] = [];

  beforeAll(async () => {
    handle = await open();
    store = createSessionStore(handle.db, () => clock);
    service = createAccountService(handle.db, store, createMailer(handle.db, { from: 'portal@example.test', log: (l) => mailLog.push(l) }), {
      ...DEFAULT_POLICY,
      adminEmails: ['admin@example.test'],
      adminGroups: ['platform'],
      publicUrl: 'http://portal.example.test',
    });
  });
  afterAll(async () => handle?.close());

  const lastMailLink = async (to: string) => {
    const rows = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.to, to));
    const body = rows.at(-1)!.body;
    return /token=([a-z0-9]+\.[a-z0-9]+)/.exec(body)![1]!;
  };

  it('signs up with a normalised email, a hashed password, and sends a verification mail', async () => {
    const account = await service.signUp({ email: '  Ada@Example.TEST ', password: PASSWORD });
    expect(account).toMatchObject({ email: 'ada@example.test', emailVerified: false, groups: [], admin: false, hasPassword: true });
    const [row] = await handle.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.passwordHash).not.toContain(PASSWORD);
    const [mail] = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.to, 'ada@example.test'));
    expect(mail!.subject).toBe('Confirm your email address');
    expect(mail!.body).toContain('http://portal.example.test/account/verify-email?token=');
    expect(mailLog.join('\n')).toContain('mail to ada@example.test: Confirm your email address');
  });

  it('verifies the email with the link, once', async () => {
    const token = await lastMailLink('ada@example.test');
    expect(await service.verifyEmail(token)).toMatchObject({ email: 'ada@example.test', emailVerified: true });
    expect((await problemOf(service.verifyEmail(token))).message).toBe('This link is not valid any more. Ask for a new one.');
  });

  it('refuses a duplicate email, a bad email and a short password, saying why', async () => {
    expect(await problemOf(service.signUp({ email: 'ada@example.test', password: PASSWORD }))).toMatchObject({ status: 409, code: 'email-taken' });
    expect(await problemOf(service.signUp({ email: 'not-an-email', password: PASSWORD }))).toMatchObject({ status: 400, message: 'Enter a valid email address.' });
    expect(await problemOf(service.signUp({ email: 'bob@example.test', password: 'short' }))).toMatchObject({ status: 400, message: 'The password must have at least 10 characters.' });
  });

  it('signs in, storing only a hash of the session secret', async () => {
    const { token, account } = await service.signIn({ email: 'ADA@example.test', password: PASSWORD }, '192.0.2.1');
    expect(account.email).toBe('ada@example.test');
    const [id, secret] = token.split('.');
    const [row] = await handle.db.select().from(sessions).where(eq(sessions.id, id!));
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.secretHash).not.toContain(secret!);
    expect(JSON.stringify(await handle.db.select().from(sessions))).not.toContain(secret!);
    expect((await store.validate(token))?.session.accountId).toBe(account.id);
  });

  it('says the same thing for a wrong password and an unknown email', async () => {
    const wrong = await problemOf(service.signIn({ email: 'ada@example.test', password: 'wrong password!' }, '192.0.2.2'));
    const unknown = await problemOf(service.signIn({ email: 'nobody@example.test', password: PASSWORD }, '192.0.2.2'));
    expect(wrong).toMatchObject({ status: 401, code: 'bad-credentials', message: 'The email or the password is not right.' });
    expect(unknown).toMatchObject({ status: 401, code: 'bad-credentials', message: wrong.message });
  });

  it('rate-limits failed sign-ins per account, even with the right password, and says when to retry', async () => {
    await service.signUp({ email: 'target@example.test', password: PASSWORD });
    for (let i = 0; i < DEFAULT_POLICY.accountAttempts; i++) {
      expect((await problemOf(service.signIn({ email: 'target@example.test', password: `guess-number-${i}` }, `198.51.100.${i}`))).status).toBe(401);
    }
    const blocked = await problemOf(service.signIn({ email: 'target@example.test', password: PASSWORD }, '198.51.100.99'));
    expect(blocked.status).toBe(429);
    expect(blocked.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
  });

  it('rate-limits sign-in attempts per IP address', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < DEFAULT_POLICY.ipAttempts; i++) await problemOf(service.signIn({ email: `user${i}@example.test`, password: 'whatever-it-is' }, ip));
    expect((await problemOf(service.signIn({ email: 'ada@example.test', password: PASSWORD }, ip))).status).toBe(429);
    await expect(service.signIn({ email: 'ada@example.test', password: PASSWORD }, '203.0.113.8')).resolves.toMatchObject({ account: { email: 'ada@example.test' } });
  });

  it('counts only failures against an address, so many people behind one NAT can all sign in', async () => {
    const ip = '198.51.100.20';
    for (let i = 0; i < DEFAULT_POLICY.ipAttempts + 5; i++) {
      await expect(service.signIn({ email: 'ada@example.test', password: PASSWORD }, ip)).resolves.toMatchObject({ account: { email: 'ada@example.test' } });
    }
  });

  it('rejects tampered and malformed session tokens', async () => {
    const { token } = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.3');
    const [id, secret] = token.split('.') as [string, string];
    const flipped = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
    for (const bad of [`${id}.${flipped}`, `${id}x.${secret}`, id, `${id}.${secret}.x`, '', '.', `${id}.`]) {
      expect(await store.validate(bad)).toBeUndefined();
    }
    expect(await store.validate(token)).toBeDefined();
  });

  it('expires sessions, and slides the expiry of sessions in use', async () => {
    const start = Date.now();
    clock = start;
    const { token } = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.4');
    clock = start + SESSION_LIFETIME_MS * 0.6; // past half its life: validating renews it
    const renewed = await store.validate(token);
    expect(renewed?.renewed).toBe(true);
    expect(renewed!.session.expiresAt.getTime()).toBe(clock + SESSION_LIFETIME_MS); // now ends at 1.6
    clock = start + SESSION_LIFETIME_MS * 0.8; // more than half left: no write
    expect((await store.validate(token))?.renewed).toBe(false);
    clock = start + SESSION_LIFETIME_MS * 1.5; // past the original expiry, still valid thanks to the renewal
    expect(await store.validate(token)).toBeDefined(); // and renewed again: now ends at 2.5
    clock = start + SESSION_LIFETIME_MS * 2.7; // unused for longer than its lifetime
    expect(await store.validate(token)).toBeUndefined();
    const [id] = token.split('.');
    expect(await handle.db.select().from(sessions).where(eq(sessions.id, id!))).toEqual([]);
    clock = Date.now();
  });

  it('signs out of all sessions', async () => {
    const a = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.5');
    const b = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.5');
    await store.invalidateAll(a.account.id);
    expect(await store.validate(a.token)).toBeUndefined();
    expect(await store.validate(b.token)).toBeUndefined();
  });

  it('changes the password: checks the current one, ends other sessions, keeps the caller signed in', async () => {
    const other = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.6');
    const accountId = other.account.id;
    expect(await problemOf(service.changePassword(accountId, { currentPassword: 'not it at all', newPassword: 'a brand new password' }))).toMatchObject({ status: 400, code: 'bad-current-password' });
    const { token } = await service.changePassword(accountId, { currentPassword: PASSWORD, newPassword: 'a brand new password' });
    expect(await store.validate(other.token)).toBeUndefined();
    expect(await store.validate(token)).toBeDefined();
    expect((await problemOf(service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.6'))).status).toBe(401);
    await service.changePassword(accountId, { currentPassword: 'a brand new password', newPassword: PASSWORD });
  });

  it('resets a forgotten password by email, and says nothing about unknown addresses', async () => {
    const before = (await handle.db.select().from(mailOutbox)).length;
    await service.requestPasswordReset('nobody-here@example.test');
    expect((await handle.db.select().from(mailOutbox)).length).toBe(before);
    await service.requestPasswordReset('ada@example.test');
    const token = await lastMailLink('ada@example.test');
    expect(await problemOf(service.resetPassword(token, 'short'))).toMatchObject({ code: 'weak-password' });
    await service.resetPassword(token, 'reset to something long');
    await expect(service.signIn({ email: 'ada@example.test', password: 'reset to something long' }, '192.0.2.7')).resolves.toBeDefined();
    expect(await problemOf(service.resetPassword(token, 'another long password'))).toMatchObject({ code: 'invalid-link' });
    const tokens = await handle.db.select().from(emailTokens);
    expect(JSON.stringify(tokens)).not.toContain(token.split('.')[1]!);
    await service.changePassword((await service.list()).find((a) => a.email === 'ada@example.test')!.id, { currentPassword: 'reset to something long', newPassword: PASSWORD });
  });

  it('makes admins by email or group, and lets admins assign groups', async () => {
    const admin = await service.signUp({ email: 'admin@example.test', password: PASSWORD });
    expect(admin.admin).toBe(true);
    const bob = await service.signUp({ email: 'bob@example.test', password: PASSWORD });
    expect(bob.admin).toBe(false);
    expect((await service.setAssignedGroups(bob.id, ['partners', 'platform', 'partners'])).groups).toEqual(['partners', 'platform']);
    expect((await service.get(bob.id))!.admin).toBe(true);
    expect(await problemOf(service.setAssignedGroups(bob.id, ['bad group!']))).toMatchObject({ status: 400, code: 'invalid-groups' });
  });

  it('signs in through an identity provider: links by verified email, takes the provider groups', async () => {
    const first = await service.signInWithIdentity({ provider: 'oidc:https://idp.example.test', subject: 'u-1', email: 'Ada@example.test', emailVerified: true, groups: ['employees'] });
    const ada = (await service.list()).find((a) => a.email === 'ada@example.test')!;
    expect(first.account.id).toBe(ada.id);
    expect(first.account.groups).toEqual(['employees']);
    const again = await service.signInWithIdentity({ provider: 'oidc:https://idp.example.test', subject: 'u-1', email: 'changed@example.test', emailVerified: true, groups: [] });
    expect(again.account).toMatchObject({ id: ada.id, groups: [] });
    const unverified = await problemOf(service.signInWithIdentity({ provider: 'oidc:https://other.example.test', subject: 'x', email: 'bob@example.test', emailVerified: false, groups: [] }));
    expect(unverified).toMatchObject({ status: 409, code: 'unverified-email' });
    const created = await service.signInWithIdentity({ provider: 'github', subject: '42', email: 'new@example.test', emailVerified: true, name: 'New Person', groups: [] });
    expect(created.account).toMatchObject({ email: 'new@example.test', emailVerified: true, hasPassword: false, displayName: 'New Person' });
  });

  it('issues personal access tokens shown once and stored hashed', async () => {
    const ada = (await service.list()).find((a) => a.email === 'ada@example.test')!;
    const pat = await service.createAccessToken(ada.id, 'ci');
    expect(pat.token).toMatch(/^pat_[a-z0-9]{24}\.[a-z0-9]{24}$/);
    expect((await service.accountForAccessToken(pat.token))?.id).toBe(ada.id);
    // One character changed (never to itself: a token may already end in x).
    expect(await service.accountForAccessToken(pat.token.slice(0, -1) + (pat.token.endsWith('x') ? 'y' : 'x'))).toBeUndefined();
    expect(JSON.stringify(await handle.db.select().from(personalAccessTokens))).not.toContain(pat.token.split('.')[1]!);
    expect((await service.listAccessTokens(ada.id)).map((t) => t.name)).toEqual(['ci']);
    await service.revokeAccessToken(ada.id, pat.id);
    expect(await service.accountForAccessToken(pat.token)).toBeUndefined();
  });

  it('deletes an account with its sessions and tokens', async () => {
    const gone = await service.signUp({ email: 'leaving@example.test', password: PASSWORD });
    const { token } = await service.signIn({ email: 'leaving@example.test', password: PASSWORD }, '192.0.2.9');
    await service.createAccessToken(gone.id, 'x');
    await service.deleteAccount(gone.id);
    expect(await service.get(gone.id)).toBeUndefined();
    expect(await store.validate(token)).toBeUndefined();
    const [{ n }] = (await handle.db.select({ n: sql<number>`count(*)::int` }).from(personalAccessTokens).where(eq(personalAccessTokens.accountId, gone.id))) as [{ n: number }];
    expect(n).toBe(0);
  });
});

describe('a PostgreSQL server that cannot be used', () => {
  it('is reported in words, without the password from the URL', async () => {
    const { openDatabase } = await import('../../src/lib/db/client.ts');
    const refused = await openDatabase({ url: 'postgres://someone:hunter2-secret@127.0.0.1:5999/portico' }).catch((e: Error) => e);
    expect((refused as Error).message).toBe('cannot use the database at DATABASE_URL: the connection was refused (is the server running?)');
    const missing = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/portico_no_such_database' }).catch((e: Error) => e);
    expect((missing as Error).message).toBe('cannot use the database at DATABASE_URL: the database does not exist');
    expect(JSON.stringify([refused, missing].map((e) => (e as Error).message))).not.toContain('hunter2');
  });
});
