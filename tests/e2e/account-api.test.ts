import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { porticoApiDocument } from '../../src/lib/api/openapi.ts';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { mailedToken } from '../support/mail.ts';

const PASSWORD = 'correct horse battery';

/** A tiny client that keeps the session cookie, as a browser would, and sends the portal's Origin. */
function client(base: string, origin = base) {
  let cookie = '';
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { origin, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      redirect: 'manual',
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = /portico_session=([^;]*)/.exec(set)?.[1] ? `portico_session=${/portico_session=([^;]*)/.exec(set)![1]}` : '';
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), setCookie: set, body: text ? JSON.parse(text) : undefined };
  };
  return { call, cookie: () => cookie };
}

describe.each([
  ['PGlite', async () => ({ env: {}, db: undefined as TestDatabase | undefined })],
  [
    'PostgreSQL',
    async () => {
      const db = await freshPostgres();
      return { env: { DATABASE_URL: db.url! }, db };
    },
  ],
])('the account JSON API on %s', (_engine, setup) => {
  let portal: RunningPortal;
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    const s = await setup();
    db = s.db;
    portal = await startPortal({ ...s.env, PORTICO_ADMIN_EMAILS: 'admin@example.test' });
  }, 180_000);
  afterAll(async () => {
    await portal?.stop();
    await db?.close();
  });

  it('signs up through the mailed link, says who is signed in, and signs out', async () => {
    const ada = client(portal.base);
    const signup = await ada.call('POST', '/api/v1/auth/signup', { email: 'ada@example.test', password: PASSWORD });
    expect(signup).toMatchObject({ status: 202, setCookie: null, body: { detail: 'Check your mail: we sent a link to this address. Open it to confirm the address and sign in.' } });
    const confirmed = await ada.call('POST', '/api/v1/auth/verify-email', { token: mailedToken(portal.dataDir, 'ada@example.test'), password: PASSWORD });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.account).toMatchObject({ email: 'ada@example.test', groups: [], admin: false, emailVerified: true });
    expect(confirmed.setCookie).toMatch(/portico_session=[a-z0-9]{24}\.[a-z0-9]{24}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect((await ada.call('GET', '/api/v1/me')).body.account.email).toBe('ada@example.test');
    expect((await ada.call('POST', '/api/v1/auth/signout')).status).toBe(204);
    const after = await ada.call('GET', '/api/v1/me');
    expect(after).toMatchObject({ status: 401, type: 'application/problem+json', body: { status: 401, title: 'Not signed in', detail: 'Sign in first.' } });
  });

  it('answers a wrong password and an unknown email alike, as problem+json', async () => {
    const wrong = await client(portal.base).call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: 'not the password' });
    const unknown = await client(portal.base).call('POST', '/api/v1/auth/signin', { email: 'who@example.test', password: 'not the password' });
    expect(wrong).toMatchObject({ status: 401, type: 'application/problem+json', body: { code: 'bad-credentials', detail: 'The email or the password is not right.' } });
    // Alike but for the request id, which every answer has its own of.
    const { requestId: unknownId, ...unknownBody } = unknown.body;
    const { requestId: wrongId, ...wrongBody } = wrong.body;
    expect(unknownBody).toEqual(wrongBody);
    expect(unknownId).not.toBe(wrongId);
  });

  it('refuses a state-changing request from another origin, even with a valid session', async () => {
    const ada = client(portal.base);
    await ada.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const evil = await fetch(`${portal.base}/api/v1/auth/signout-all`, { method: 'POST', headers: { origin: 'https://evil.example', cookie: ada.cookie() } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ code: 'cross-origin', detail: `Refused: requests from https://evil.example are not accepted; use the portal at ${portal.base}.` });
    const noOrigin = await fetch(`${portal.base}/api/v1/auth/signout-all`, { method: 'POST', headers: { cookie: ada.cookie() } });
    expect(noOrigin.status).toBe(403);
    const crossSite = await fetch(`${portal.base}/api/v1/me`, { method: 'DELETE', headers: { 'sec-fetch-site': 'cross-site', cookie: ada.cookie() } });
    expect(crossSite.status).toBe(403);
    expect((await ada.call('GET', '/api/v1/me')).status).toBe(200); // still signed in: nothing happened
  });

  it('refuses every state-changing route of the API from a foreign origin', async () => {
    const ada = client(portal.base);
    await ada.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const paths = porticoApiDocument(portal.base).paths as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => m !== 'get')
        .map((m) => [m.toUpperCase(), `/api/v1${p.replace(/\{[^}]+\}/g, 'some-id')}`] as const),
    );
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const [method, route] of routes) {
      const res = await fetch(`${portal.base}${route}`, {
        method,
        headers: { origin: 'https://evil.example', cookie: ada.cookie(), 'content-type': 'application/json' },
        body: method === 'DELETE' ? undefined : '{}',
      });
      expect(`${method} ${route} ${res.status}`).toBe(`${method} ${route} 403`);
    }
    expect((await ada.call('GET', '/api/v1/me')).status).toBe(200);
  });

  it('accepts only JSON bodies, and says what is wrong with a bad one', async () => {
    const form = await fetch(`${portal.base}/api/v1/auth/signin`, {
      method: 'POST',
      headers: { origin: portal.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a&password=b',
    });
    expect(form.status).toBe(415);
    expect((await client(portal.base).call('POST', '/api/v1/auth/signin', undefined, { 'content-type': 'application/json' })).status).toBe(401);
    const broken = await fetch(`${portal.base}/api/v1/auth/signin`, { method: 'POST', headers: { origin: portal.base, 'content-type': 'application/json' }, body: '{"email":' });
    expect(await broken.json()).toMatchObject({ status: 400, code: 'invalid-json', detail: 'The request body is not valid JSON.' });
  });

  it('ignores a tampered session cookie and clears it', async () => {
    const ada = client(portal.base);
    await ada.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const tampered = ada.cookie().slice(0, -2) + 'zz';
    const res = await fetch(`${portal.base}/api/v1/me`, { headers: { cookie: tampered } });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toMatch(/^portico_session=(deleted)?; .*Expires=Thu, 01 Jan 1970/);
  });

  it('lets scripts use a personal access token, and only while it exists', async () => {
    const ada = client(portal.base);
    await ada.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    const created = await ada.call('POST', '/api/v1/me/tokens', { name: 'deploy script' });
    expect(created.status).toBe(201);
    const bearer = { authorization: `Bearer ${created.body.token}` };
    const me = await fetch(`${portal.base}/api/v1/me`, { headers: bearer });
    expect((await me.json()).account.email).toBe('ada@example.test');
    // No Origin header: a token in a header cannot be forged by another site's page.
    expect((await fetch(`${portal.base}/api/v1/me/tokens`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{"name":"second"}' })).status).toBe(201);
    expect((await ada.call('GET', '/api/v1/me/tokens')).body.tokens.map((t: { name: string }) => t.name)).toEqual(['deploy script', 'second']);
    expect(JSON.stringify((await ada.call('GET', '/api/v1/me/tokens')).body)).not.toContain(created.body.token.split('.')[1]);
    await ada.call('DELETE', `/api/v1/me/tokens/${created.body.id}`);
    const revoked = await fetch(`${portal.base}/api/v1/me`, { headers: bearer });
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).detail).toBe('The access token is not valid. Create a new one on your account page.');
  });

  it('rate-limits sign-in attempts with a Retry-After the problem document repeats in words', async () => {
    await client(portal.base).call('POST', '/api/v1/auth/signup', { email: 'limited@example.test', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      expect((await client(portal.base).call('POST', '/api/v1/auth/signin', { email: 'limited@example.test', password: `wrong guess ${i}` })).status).toBe(401);
    }
    const res = await fetch(`${portal.base}/api/v1/auth/signin`, {
      method: 'POST',
      headers: { origin: portal.base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'limited@example.test', password: PASSWORD }),
    });
    expect(res.status).toBe(429);
    const seconds = Number(res.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(0);
    expect((await res.json()).detail).toBe(`Too many sign-in attempts. Try again in ${seconds} seconds.`);
  });

  it('keeps admin endpoints for admins', async () => {
    const ada = client(portal.base);
    await ada.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
    expect((await ada.call('GET', '/api/v1/admin/accounts')).status).toBe(403);
    const admin = client(portal.base);
    expect((await admin.call('POST', '/api/v1/auth/signup', { email: 'admin@example.test', password: PASSWORD })).status).toBe(202);
    expect((await admin.call('POST', '/api/v1/auth/verify-email', { token: mailedToken(portal.dataDir, 'admin@example.test'), password: PASSWORD })).body.account.admin).toBe(true);
    const list = await admin.call('GET', '/api/v1/admin/accounts');
    const adaId = list.body.accounts.find((a: { email: string }) => a.email === 'ada@example.test').id;
    expect((await admin.call('PUT', `/api/v1/admin/accounts/${adaId}/groups`, { groups: ['partners'] })).body.account.groups).toEqual(['partners']);
    expect((await ada.call('GET', '/api/v1/me')).body.account.groups).toEqual(['partners']);
    const page = await fetch(`${portal.base}/admin/`, { headers: { cookie: admin.cookie() } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h2 id="accounts-h">Accounts (');
    expect(html).toContain('ada@example.test');
    expect(html).toContain('Confirm your email address');
    expect((await fetch(`${portal.base}/admin/`, { headers: { cookie: ada.cookie() } })).status).toBe(403);
    const mail = await admin.call('GET', '/api/v1/admin/mail');
    expect(mail.body.mail.map((m: { to: string; subject: string }) => `${m.to}: ${m.subject}`)).toContain('ada@example.test: Confirm your email address');
    // The admin sees that a link went out, never the link: it is for the addressee only.
    expect(JSON.stringify(mail.body)).toContain('token=[removed: sent to the addressee only]');
    expect(JSON.stringify(mail.body)).not.toMatch(/token=[a-z0-9]{24}\./);
  });
});
