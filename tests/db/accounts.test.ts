import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  const mailDir = path.join(mkdtempSync(path.join(tmpdir(), 'portico-mail-')), 'mail');

  beforeAll(async () => {
    handle = await open();
    store = createSessionStore(handle.db, () => clock);
    service = createAccountService(handle.db, store, createMailer(handle.db, { from: 'portal@example.test', mailDir, log: (l) => mailLog.push(l) }), {
      ...DEFAULT_POLICY,
      adminEmails: ['admin@example.test'],
      adminGroups: ['platform'],
      publicUrl: 'http://portal.example.test',
    });
  });
  afterAll(async () => handle?.close());

  /** The mail files delivered to `to`, oldest first (the local delivery without a mail server). */
  const mailFilesTo = (to: string) =>
    readdirSync(mailDir)
      .sort()
      .map((f) => readFileSync(path.join(mailDir, f), 'utf8'))
      .filter((text) => text.includes(`\nTo: ${to}\n`));
  const lastMailLink = async (to: string) => /token=([a-z0-9]+\.[a-z0-9]+)/.exec(mailFilesTo(to).at(-1)!)![1]!;
  const signedUp = async (email: string) => {
    await service.signUp({ email, password: PASSWORD }, '192.0.2.200');
    return (await service.confirmEmailAndSignIn(await lastMailLink(email), PASSWORD)).account;
  };

  it('signs up with a normalised email and a hashed password, and mails a confirmation link only the addressee can read', async () => {
    await service.signUp({ email: '  Ada@Example.TEST ', password: PASSWORD }, '192.0.2.100');
    const [row] = await handle.db.select().from(accounts).where(eq(accounts.email, 'ada@example.test'));
    expect(row).toMatchObject({ emailVerified: false });
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.passwordHash).not.toContain(PASSWORD);
    const [file] = mailFilesTo('ada@example.test');
    expect(file).toContain('Subject: Confirm your email address');
    expect(file).toContain('http://portal.example.test/account/verify-email?token=');
    expect(statSync(path.join(mailDir, readdirSync(mailDir)[0]!)).mode & 0o077).toBe(0);
    // The outbox the admin area shows, and the log, never hold the link's token.
    const [kept] = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.to, 'ada@example.test'));
    const token = await lastMailLink('ada@example.test');
    expect(kept!.body).toContain('token=[removed: sent to the addressee only]');
    expect(kept!.body).not.toContain(token);
    expect(mailLog.join('\n')).toMatch(/mail to ada@example\.test \(Confirm your email address\) is in .*mail.*\.txt/);
    expect(mailLog.join('\n')).not.toContain(token);
  });

  it('confirms the email with the link and signs in, once', async () => {
    const token = await lastMailLink('ada@example.test');
    // The link alone is not enough: whoever opens it must know the password chosen at sign-up.
    expect(await problemOf(service.confirmEmailAndSignIn(token, 'a stranger chose another'))).toMatchObject({ status: 400, code: 'wrong-password' });
    const confirmed = await service.confirmEmailAndSignIn(token, PASSWORD);
    expect(confirmed.account).toMatchObject({ email: 'ada@example.test', emailVerified: true });
    expect((await store.validate(confirmed.token))?.session.accountId).toBe(confirmed.account.id);
    expect((await problemOf(service.confirmEmailAndSignIn(token, PASSWORD))).message).toBe('This link is not valid any more. Ask for a new one.');
  });

  it('answers a taken address as a new one, and mails its owner instead of creating anything', async () => {
    const before = (await handle.db.select().from(accounts)).length;
    await expect(service.signUp({ email: 'ada@example.test', password: 'another long password' }, '192.0.2.101')).resolves.toBeUndefined();
    expect((await handle.db.select().from(accounts)).length).toBe(before);
    const notice = mailFilesTo('ada@example.test').at(-1)!;
    expect(notice).toContain('Subject: Someone tried to create an account with your address');
    expect(notice).not.toContain('token=');
    await expect(service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.101')).resolves.toBeDefined();
  });

  it('refuses a bad email and a short password, saying why', async () => {
    expect(await problemOf(service.signUp({ email: 'not-an-email', password: PASSWORD }, '192.0.2.102'))).toMatchObject({ status: 400, message: 'Enter a valid email address.' });
    expect(await problemOf(service.signUp({ email: 'bob@example.test', password: 'short' }, '192.0.2.102'))).toMatchObject({ status: 400, message: 'The password must have at least 10 characters.' });
  });

  it('limits sign-ups per client address', async () => {
    const ip = '192.0.2.103';
    for (let i = 0; i < DEFAULT_POLICY.signupsPerHour; i++) await service.signUp({ email: `many-${i}@example.test`, password: PASSWORD }, ip);
    const refused = await problemOf(service.signUp({ email: 'one-more@example.test', password: PASSWORD }, ip));
    expect(refused).toMatchObject({ status: 429, code: 'too-many-requests' });
    expect(refused.message).toMatch(/^Too many sign-ups from your address\. Try again in \d+ seconds\.$/);
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

  it('rate-limits failed sign-ins per account from one address, even with the right password, and says when to retry', async () => {
    await signedUp('target@example.test');
    for (let i = 0; i < DEFAULT_POLICY.accountAttempts; i++) {
      expect((await problemOf(service.signIn({ email: 'target@example.test', password: `guess-number-${i}` }, '198.51.100.1'))).status).toBe(401);
    }
    const blocked = await problemOf(service.signIn({ email: 'target@example.test', password: PASSWORD }, '198.51.100.1'));
    expect(blocked.status).toBe(429);
    expect(blocked.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ seconds\.$/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    // Someone guessing from elsewhere does not lock the owner out.
    await expect(service.signIn({ email: 'target@example.test', password: PASSWORD }, '198.51.100.2')).resolves.toMatchObject({ account: { email: 'target@example.test' } });
  });

  it('counts each attempt before checking the password, so parallel guesses cannot outrun the limit', async () => {
    const ip = '198.51.100.60';
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => problemOf(service.signIn({ email: 'target@example.test', password: `parallel guess ${i}` }, ip))));
    const checked = answers.filter((a) => a.status === 401).length;
    expect(checked).toBeLessThanOrEqual(DEFAULT_POLICY.accountAttempts);
    expect(answers.filter((a) => a.status === 429).length).toBe(40 - checked);
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

  it('signs out everywhere: every session and every personal access token stop working', async () => {
    const a = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.5');
    const b = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.5');
    const pat = await service.createAccessToken(a.account.id, 'script');
    await service.revokeCredentials(a.account.id);
    expect(await store.validate(a.token)).toBeUndefined();
    expect(await store.validate(b.token)).toBeUndefined();
    expect(await service.accountForAccessToken(pat.token)).toBeUndefined();
  });

  it('changes the password: checks the current one, ends other sessions, keeps the caller signed in', async () => {
    const other = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.6');
    const accountId = other.account.id;
    const pat = await service.createAccessToken(accountId, 'before the change');
    expect(await problemOf(service.changePassword(accountId, { currentPassword: 'not it at all', newPassword: 'a brand new password' }))).toMatchObject({ status: 400, code: 'bad-current-password' });
    const { token } = await service.changePassword(accountId, { currentPassword: PASSWORD, newPassword: 'a brand new password' });
    expect(await store.validate(other.token)).toBeUndefined();
    expect(await store.validate(token)).toBeDefined();
    expect(await service.accountForAccessToken(pat.token)).toBeUndefined();
    expect((await problemOf(service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.6'))).status).toBe(401);
    await service.changePassword(accountId, { currentPassword: 'a brand new password', newPassword: PASSWORD });
  });

  it('resets a forgotten password by email, and says nothing about unknown addresses', async () => {
    const before = (await handle.db.select().from(mailOutbox)).length;
    await service.requestPasswordReset('nobody-here@example.test', '192.0.2.7');
    expect((await handle.db.select().from(mailOutbox)).length).toBe(before);
    await service.requestPasswordReset('ada@example.test', '192.0.2.7');
    const first = await lastMailLink('ada@example.test');
    await service.requestPasswordReset('ada@example.test', '192.0.2.7');
    const token = await lastMailLink('ada@example.test');
    expect(token).not.toBe(first);
    const session = await service.signIn({ email: 'ada@example.test', password: PASSWORD }, '192.0.2.7');
    const pat = await service.createAccessToken(session.account.id, 'before the reset');
    expect(await problemOf(service.resetPassword(token, 'short'))).toMatchObject({ code: 'weak-password' });
    await service.resetPassword(token, 'reset to something long');
    // Whoever had the account before the reset is out: sessions, tokens and the other link.
    expect(await store.validate(session.token)).toBeUndefined();
    expect(await service.accountForAccessToken(pat.token)).toBeUndefined();
    expect(await problemOf(service.resetPassword(first, 'yet another long password'))).toMatchObject({ code: 'invalid-link' });
    await expect(service.signIn({ email: 'ada@example.test', password: 'reset to something long' }, '192.0.2.7')).resolves.toBeDefined();
    expect(await problemOf(service.resetPassword(token, 'another long password'))).toMatchObject({ code: 'invalid-link' });
    const tokens = await handle.db.select().from(emailTokens);
    expect(JSON.stringify(tokens)).not.toContain(token.split('.')[1]!);
    await service.changePassword((await service.list()).find((a) => a.email === 'ada@example.test')!.id, { currentPassword: 'reset to something long', newPassword: PASSWORD });
  });

  it('limits reset mails per recipient without saying so, and per client address with a 429', async () => {
    const count = () => mailFilesTo('target@example.test').length;
    const before = count();
    for (let i = 0; i < DEFAULT_POLICY.mailsPerHour + 3; i++) await service.requestPasswordReset('target@example.test', `192.0.2.${120 + i}`);
    expect(count() - before).toBeLessThanOrEqual(DEFAULT_POLICY.mailsPerHour);
    const ip = '192.0.2.150';
    for (let i = 0; i < DEFAULT_POLICY.mailsPerHour * 4; i++) await service.requestPasswordReset(`someone-${i}@example.test`, ip);
    expect(await problemOf(service.requestPasswordReset('ada@example.test', ip))).toMatchObject({ status: 429 });
  });

  it('makes admins by a confirmed email or a group, and only confirmed addresses get the groups admins assign', async () => {
    await service.signUp({ email: 'admin@example.test', password: PASSWORD }, '192.0.2.160');
    const unconfirmed = (await service.list()).find((a) => a.email === 'admin@example.test')!;
    expect(unconfirmed).toMatchObject({ emailVerified: false, admin: false });
    expect((await service.signIn({ email: 'admin@example.test', password: PASSWORD }, '192.0.2.160')).account.admin).toBe(false);
    const admin = (await service.confirmEmailAndSignIn(await lastMailLink('admin@example.test'), PASSWORD)).account;
    expect(admin.admin).toBe(true);
    await service.signUp({ email: 'carol@example.test', password: PASSWORD }, '192.0.2.160');
    const carol = (await service.list()).find((a) => a.email === 'carol@example.test')!;
    expect((await service.setAssignedGroups(carol.id, ['platform'])).groups).toEqual([]);
    expect((await service.get(carol.id))!.admin).toBe(false);
    const bob = await signedUp('bob@example.test');
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
    const gone = await signedUp('leaving@example.test');
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
