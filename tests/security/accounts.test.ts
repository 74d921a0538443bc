import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient, type PortalClient } from '../support/http-client.ts';
import { mailedToken, mailTo, signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * The account holes of the attack review (issue 14), each driven against a running portal:
 * admin rights from an unconfirmed address, the sign-in limit race and lock-out, credentials that
 * outlived a recovery, account enumeration at sign-up, unlimited mail and creation, open redirects.
 */

const PASSWORD = 'a long enough password';
const BOSS = 'boss@example.test';
// Caps sized for this test: small enough to reach in a few requests.
const LIMITS = { PORTICO_MAX_APPLICATIONS: '3', PORTICO_MAX_KEYS_PER_APPLICATION: '2', PORTICO_SIGNUPS_PER_HOUR: '6', PORTICO_MAILS_PER_HOUR: '3', PORTICO_TOKENS_PER_HOUR: '4' };

let portal: RunningPortal;
/** Each scenario comes from its own loopback address, so the per-address limits of one never touch another. */
let nextAddress = 10;
const client = (): PortalClient => portalClient(portal.base, { localAddress: `127.0.3.${nextAddress++}` });

beforeAll(async () => {
  portal = await startPortal({ PORTICO_ADMIN_EMAILS: BOSS, ...LIMITS });
}, 180_000);
afterAll(async () => portal?.stop());

describe('admin rights', () => {
  it('need a confirmed address: signing up as a listed admin gives nothing, and the owner opening the link does not confirm the stranger', async () => {
    const impostor = client();
    expect((await impostor.call('POST', '/api/v1/auth/signup', { email: BOSS, password: 'the impostor chose this' })).status).toBe(202);
    expect((await impostor.call('POST', '/api/v1/auth/signin', { email: BOSS, password: 'the impostor chose this' })).status).toBe(200);
    expect((await impostor.call('GET', '/api/v1/me')).body.account).toMatchObject({ email: BOSS, emailVerified: false, admin: false });
    expect((await impostor.call('GET', '/api/v1/admin/accounts')).status).toBe(403);
    expect((await impostor.call('GET', '/api/v1/admin/mail')).status).toBe(403);
    expect((await impostor.call('GET', '/admin/')).status).toBe(403);

    // The real owner gets the mail and opens the link, but does not know the stranger's password:
    // the link alone confirms nothing (else the stranger would hold a confirmed admin account).
    const owner = client();
    const refused = await owner.call('POST', '/api/v1/auth/verify-email', { token: mailedToken(portal.dataDir, BOSS), password: PASSWORD });
    expect(refused).toMatchObject({ status: 400, body: { code: 'wrong-password' } });
    expect((await impostor.call('GET', '/api/v1/me')).body.account).toMatchObject({ emailVerified: false, admin: false });

    // The owner resets the password instead: that confirms the address and puts the stranger out.
    await owner.call('POST', '/api/v1/auth/password-reset', { email: BOSS });
    expect((await owner.call('POST', '/api/v1/auth/password-reset', { token: mailedToken(portal.dataDir, BOSS, 'reset-password'), newPassword: PASSWORD })).status).toBe(200);
    expect((await impostor.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await owner.call('POST', '/api/v1/auth/signin', { email: BOSS, password: PASSWORD })).body.account).toMatchObject({ emailVerified: true, admin: true });
    expect((await owner.call('GET', '/api/v1/admin/accounts')).status).toBe(200);
  });

  it("never show anyone's links in the admin area: confirmation and reset mails are listed without their tokens", async () => {
    const victim = client();
    await signUpConfirmed(victim.call, portal.dataDir, 'victim@example.test', PASSWORD);
    await client().call('POST', '/api/v1/auth/password-reset', { email: 'victim@example.test' });
    const resetToken = mailedToken(portal.dataDir, 'victim@example.test', 'reset-password');
    const boss = client();
    expect((await boss.call('POST', '/api/v1/auth/signin', { email: BOSS, password: PASSWORD })).status).toBe(200);
    const outbox = await boss.call('GET', '/api/v1/admin/mail');
    const page = await boss.call('GET', '/admin/');
    const mailPage = await boss.call('GET', '/admin/mail/');
    const subjects = outbox.body.mail.map((m: { to: string; subject: string }) => `${m.to}: ${m.subject}`);
    expect(subjects).toContain('victim@example.test: Reset your password');
    expect(mailPage.text).toContain('Reset your password');
    // The mail page links addresses on the portal, but a reset or confirmation link is no link, and has no token.
    expect(mailPage.text).not.toMatch(/href="[^"]*token/);
    for (const text of [outbox.text, page.text, mailPage.text]) {
      expect(text).not.toContain(resetToken.split('.')[1]);
      expect(text).not.toMatch(/token=[a-z0-9]{24}\.[a-z0-9]{24}/);
    }
    expect(outbox.text).toContain('[removed: sent to the addressee only]');
  });

  it('give the groups an admin assigns only to a confirmed address', async () => {
    const boss = client();
    await boss.call('POST', '/api/v1/auth/signin', { email: BOSS, password: PASSWORD });
    const unconfirmed = client();
    expect((await unconfirmed.call('POST', '/api/v1/auth/signup', { email: 'newcomer@example.test', password: PASSWORD })).status).toBe(202);
    await unconfirmed.call('POST', '/api/v1/auth/signin', { email: 'newcomer@example.test', password: PASSWORD });
    const id = (await unconfirmed.call('GET', '/api/v1/me')).body.account.id;
    expect((await boss.call('PUT', `/api/v1/admin/accounts/${id}/groups`, { groups: ['partners'] })).status).toBe(200);
    expect((await unconfirmed.call('GET', '/api/v1/me')).body.account.groups).toEqual([]);
    await unconfirmed.call('POST', '/api/v1/auth/verify-email', { token: mailedToken(portal.dataDir, 'newcomer@example.test'), password: PASSWORD });
    expect((await unconfirmed.call('GET', '/api/v1/me')).body.account.groups).toEqual(['partners']);
  });
});

describe('sign-in limits', () => {
  it('count every attempt before the password is checked: 120 parallel guesses get at most 5 checks', async () => {
    await signUpConfirmed(client().call, portal.dataDir, 'racer@example.test', PASSWORD);
    const attacker = client();
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => attacker.call('POST', '/api/v1/auth/signin', { email: 'racer@example.test', password: `parallel guess ${i}` })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it('do not let someone elsewhere lock the owner out', async () => {
    const attacker = client();
    for (let i = 0; i < 8; i++) await attacker.call('POST', '/api/v1/auth/signin', { email: 'racer@example.test', password: `guess ${i}` });
    expect((await attacker.call('POST', '/api/v1/auth/signin', { email: 'racer@example.test', password: PASSWORD })).status).toBe(429);
    expect((await client().call('POST', '/api/v1/auth/signin', { email: 'racer@example.test', password: PASSWORD })).status).toBe(200);
  });
});

describe('recovering an account', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const meWith = async (token: string) => (await portalClient(portal.base, { origin: null }).call('GET', '/api/v1/me', undefined, bearer(token))).status;

  it('"sign out everywhere" revokes the personal access tokens too', async () => {
    const grace = client();
    await signUpConfirmed(grace.call, portal.dataDir, 'grace@example.test', PASSWORD);
    const pat = (await grace.call('POST', '/api/v1/me/tokens', { name: 'laptop script' })).body.token;
    expect(await meWith(pat)).toBe(200);
    expect((await grace.call('POST', '/api/v1/auth/signout-all')).status).toBe(204);
    expect(await meWith(pat)).toBe(401);
  });

  it('a password change revokes every token', async () => {
    const grace = client();
    await grace.call('POST', '/api/v1/auth/signin', { email: 'grace@example.test', password: PASSWORD });
    const pat = (await grace.call('POST', '/api/v1/me/tokens', { name: 'ci' })).body.token;
    expect((await grace.call('POST', '/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a changed long password' })).status).toBe(204);
    expect(await meWith(pat)).toBe(401);
    expect((await grace.call('GET', '/api/v1/me')).status).toBe(200); // the caller stays signed in
  });

  it('a reset revokes sessions and tokens, and a second outstanding reset link dies with the first one used', async () => {
    const thief = client();
    await thief.call('POST', '/api/v1/auth/signin', { email: 'grace@example.test', password: 'a changed long password' });
    const stolen = (await thief.call('POST', '/api/v1/me/tokens', { name: 'thief' })).body.token;
    const asker = client();
    await asker.call('POST', '/api/v1/auth/password-reset', { email: 'grace@example.test' });
    const first = mailedToken(portal.dataDir, 'grace@example.test', 'reset-password');
    await asker.call('POST', '/api/v1/auth/password-reset', { email: 'grace@example.test' });
    const second = mailedToken(portal.dataDir, 'grace@example.test', 'reset-password');
    expect(second).not.toBe(first);
    const reset = await asker.call('POST', '/api/v1/auth/password-reset', { token: second, newPassword: 'grace resets it here' });
    expect(reset.status).toBe(200);
    expect(reset.body.detail).toMatch(/session, access token and other reset link/);
    expect((await thief.call('GET', '/api/v1/me')).status).toBe(401);
    expect(await meWith(stolen)).toBe(401);
    expect((await asker.call('POST', '/api/v1/auth/password-reset', { token: first, newPassword: 'the thief tries again' })).body.code).toBe('invalid-link');
  });
});

describe('what sign-up and mail routes give away, and how often they answer', () => {
  it('answers a taken address exactly as a new one, and mails the owner instead', async () => {
    await signUpConfirmed(client().call, portal.dataDir, 'taken@example.test', PASSWORD);
    const prober = client();
    const taken = await prober.call('POST', '/api/v1/auth/signup', { email: 'taken@example.test', password: 'the prober guesses' });
    const fresh = await prober.call('POST', '/api/v1/auth/signup', { email: 'fresh@example.test', password: 'the prober guesses' });
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;
    expect(taken.status).toBe(fresh.status);
    expect(strip(taken.body)).toEqual(strip(fresh.body));
    expect(taken.headers['set-cookie']).toBeUndefined();
    expect(mailTo(portal.dataDir, 'taken@example.test', 'Someone tried to create an account with your address')).toHaveLength(1);
    // The owner's password still works: nothing was changed.
    expect((await client().call('POST', '/api/v1/auth/signin', { email: 'taken@example.test', password: PASSWORD })).status).toBe(200);
  });

  it('sends at most a few reset mails to one address, and refuses a flood from one client with a 429', async () => {
    const flooder = client();
    const answers: number[] = [];
    for (let i = 0; i < 25; i++) answers.push((await flooder.call('POST', '/api/v1/auth/password-reset', { email: 'taken@example.test' })).status);
    expect(mailTo(portal.dataDir, 'taken@example.test', 'Reset your password').length).toBeLessThanOrEqual(Number(LIMITS.PORTICO_MAILS_PER_HOUR));
    expect(answers.filter((s) => s === 202).length).toBe(Number(LIMITS.PORTICO_MAILS_PER_HOUR) * 4);
    expect(answers.slice(Number(LIMITS.PORTICO_MAILS_PER_HOUR) * 4).every((s) => s === 429)).toBe(true);
  });

  it('limits sign-ups per client address', async () => {
    const signer = client();
    const answers: number[] = [];
    for (let i = 0; i < Number(LIMITS.PORTICO_SIGNUPS_PER_HOUR) + 2; i++)
      answers.push((await signer.call('POST', '/api/v1/auth/signup', { email: `bulk-${i}@example.test`, password: PASSWORD })).status);
    expect(answers).toEqual([...Array(Number(LIMITS.PORTICO_SIGNUPS_PER_HOUR)).fill(202), 429, 429]);
  });

  it('limits resending the confirmation mail', async () => {
    const pending = client();
    await pending.call('POST', '/api/v1/auth/signup', { email: 'pending@example.test', password: PASSWORD });
    await pending.call('POST', '/api/v1/auth/signin', { email: 'pending@example.test', password: PASSWORD });
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await pending.call('POST', '/api/v1/me/verify-email')).status);
    // One confirmation went with the sign-up: two more are sent, then the limit answers.
    expect(answers).toEqual([202, 202, 429, 429, 429]);
    expect(mailTo(portal.dataDir, 'pending@example.test', 'Confirm your email address')).toHaveLength(3);
  });

  it('limits creating personal access tokens', async () => {
    const maker = client();
    await signUpConfirmed(maker.call, portal.dataDir, 'maker@example.test', PASSWORD);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await maker.call('POST', '/api/v1/me/tokens', { name: `token ${i}` })).status);
    expect(answers).toEqual([201, 201, 201, 201, 429, 429]);
  });
});

describe('keys and applications', () => {
  it('are not given to an unconfirmed address', async () => {
    const unconfirmed = client();
    await unconfirmed.call('POST', '/api/v1/auth/signup', { email: 'hasty@example.test', password: PASSWORD });
    await unconfirmed.call('POST', '/api/v1/auth/signin', { email: 'hasty@example.test', password: PASSWORD });
    const app = await unconfirmed.call('POST', '/api/v1/applications', { name: 'Hasty app' });
    expect(app.status).toBe(201);
    const key = await unconfirmed.call('POST', `/api/v1/applications/${app.body.application.id}/keys`, { title: 'too soon' });
    expect(key).toMatchObject({ status: 403, body: { code: 'email-not-confirmed' } });
    expect(key.body.detail).toMatch(/^Confirm your email address first/);
  });

  it('are capped per account and per application, saying what to do', async () => {
    const builder = client();
    await signUpConfirmed(builder.call, portal.dataDir, 'builder@example.test', PASSWORD);
    const apps: number[] = [];
    let first = '';
    for (let i = 0; i < 4; i++) {
      const res = await builder.call('POST', '/api/v1/applications', { name: `App ${i}` });
      apps.push(res.status);
      first ||= res.body.application?.id;
    }
    expect(apps).toEqual([201, 201, 201, 409]);
    const keys: number[] = [];
    let refusal = '';
    for (let i = 0; i < 3; i++) {
      const res = await builder.call('POST', `/api/v1/applications/${first}/keys`, { title: `key ${i}` });
      keys.push(res.status);
      refusal = res.body.detail;
    }
    expect(keys).toEqual([201, 201, 409]);
    expect(refusal).toBe('An application may have 2 keys; revoke one you no longer use first.');
  });
});

describe('the page after signing in', () => {
  it.each([
    ['/%09/evil.example/', 'a tab the browser drops'],
    ['/%0a/evil.example/', 'a newline the browser drops'],
    ['//evil.example/', 'a protocol-relative URL'],
    ['/\\evil.example/', 'a backslash'],
    ['https://evil.example/', 'another origin'],
    ['javascript:alert(1)', 'a script URL'],
  ])('is never another site: next=%s (%s) becomes the account page', async (next) => {
    const html = (await client().call('GET', `/account/sign-in/?next=${encodeURIComponent(decodeURIComponent(next))}`)).text;
    expect(/data-then="([^"]*)"/.exec(html)?.[1]).toBe('/account/');
  });

  it('keeps a path on the portal', async () => {
    const html = (await client().call('GET', `/account/sign-in/?next=${encodeURIComponent('/apis/shipments/?tab=plans#limits')}`)).text;
    expect(/data-then="([^"]*)"/.exec(html)?.[1]).toBe('/apis/shipments/?tab=plans#limits');
  });
});
