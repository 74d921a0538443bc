import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPortal, type RunningPortal } from '../support/portal.ts';

// A real OpenID Connect provider (the oidc-provider package), started here on loopback.
let idp: Server;
let issuer: string;
let portal: RunningPortal;

beforeAll(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'portico', client_secret: 'test-client-secret', redirect_uris: [`${base}/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: { keys: ['a-test-cookie-signing-key'] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({
        sub: `sub-${id}`,
        email: `${id}@example.test`,
        email_verified: id !== 'mallory',
        name: id[0]!.toUpperCase() + id.slice(1),
        groups: id === 'alice' ? ['employees', 'partners'] : [],
      }),
    }),
  } as never);
  idp.on('request', provider.callback());
  portal = await startPortal({
    PORT: String(port),
    PORTICO_PUBLIC_URL: base,
    PORTICO_OIDC_ISSUER: issuer,
    PORTICO_OIDC_CLIENT_ID: 'portico',
    PORTICO_OIDC_CLIENT_SECRET: 'test-client-secret',
    PORTICO_OIDC_SCOPES: 'openid email profile groups',
    PORTICO_OIDC_NAME: 'Kestrel SSO',
  });
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await new Promise((resolve) => idp?.close(resolve));
});

/** Follows redirects across the portal and the provider like a browser, with a cookie jar per host. */
function browserLike() {
  const jars = new Map<string, Map<string, string>>();
  const remember = (url: URL, res: Response) => {
    const jar = jars.get(url.host) ?? new Map<string, string>();
    jars.set(url.host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '' || value === 'deleted') jar.delete(name);
      else jar.set(name, value);
    }
  };
  const send = async (url: URL, init: RequestInit = {}) => {
    const cookie = [...(jars.get(url.host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), ...(cookie ? { cookie } : {}) } });
    remember(url, res);
    return res;
  };
  /** GETs `start` and follows redirects; returns the final response and its URL. */
  const go = async (start: string, init: RequestInit = {}) => {
    let url = new URL(start);
    let res = await send(url, init);
    for (let hops = 0; hops < 20 && res.status >= 300 && res.status < 400; hops++) {
      url = new URL(res.headers.get('location')!, url);
      // Only the portal and the provider answer here, both on loopback: a redirect elsewhere is where it ends.
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return { res, url, text: '' };
      res = await send(url);
    }
    return { res, url, text: await res.text() };
  };
  /** Submits the provider's interaction form (login or consent) found in `html`. */
  const submit = async (page: { url: URL; text: string }, fields: Record<string, string>) => {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.text)![1]!;
    const hidden = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    return go(new URL(action, page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: page.url.origin },
      body: new URLSearchParams({ ...hidden, ...fields }).toString(),
    });
  };
  return { go, submit, cookieFor: (host: string, name: string) => jars.get(host)?.get(name) };
}

async function signInThroughProvider(login: string, next = '/account/') {
  const b = browserLike();
  const loginPage = await b.go(`${portal.base}/auth/oidc/start?next=${encodeURIComponent(next)}`);
  expect(loginPage.url.origin).toBe(issuer);
  expect(loginPage.text).toContain('name="login"');
  const consent = await b.submit(loginPage, { login, password: 'any password the dev provider accepts' });
  const landed = consent.url.origin === issuer ? await b.submit(consent, {}) : consent;
  return { b, landed };
}

describe('sign-in with OpenID Connect', () => {
  it('offers the provider on the sign-in page', async () => {
    const html = await (await fetch(`${portal.base}/account/sign-in/`)).text();
    expect(html).toContain('Sign in with Kestrel SSO');
  });

  it('signs in through the provider, with the groups from its claim', async () => {
    const { b, landed } = await signInThroughProvider('alice');
    expect(landed.url.href).toBe(`${portal.base}/account/`);
    expect(landed.res.status).toBe(200);
    const session = b.cookieFor(new URL(portal.base).host, 'portico_session');
    expect(session).toMatch(/^[a-z0-9]{24}\.[a-z0-9]{24}$/);
    const me = await (await fetch(`${portal.base}/api/v1/me`, { headers: { cookie: `portico_session=${session}` } })).json();
    expect(me.account).toMatchObject({ email: 'alice@example.test', emailVerified: true, groups: ['employees', 'partners'], hasPassword: false, displayName: 'Alice' });
  });

  it('links an existing password account by verified email', async () => {
    const signup = await fetch(`${portal.base}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { origin: portal.base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@example.test', password: 'a long enough password' }),
    });
    expect(signup.status).toBe(202);
    // Bob never opened the confirmation link: the provider's verified claim is what links him.
    const signin = await fetch(`${portal.base}/api/v1/auth/signin`, {
      method: 'POST',
      headers: { origin: portal.base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@example.test', password: 'a long enough password' }),
    });
    const { account } = await signin.json();
    const { b } = await signInThroughProvider('bob');
    const me = await (await fetch(`${portal.base}/api/v1/me`, { headers: { cookie: `portico_session=${b.cookieFor(new URL(portal.base).host, 'portico_session')}` } })).json();
    expect(me.account).toMatchObject({ id: account.id, email: 'bob@example.test', hasPassword: true, emailVerified: true });
  });

  it('refuses to link an account whose email the provider has not verified, and says why', async () => {
    await fetch(`${portal.base}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { origin: portal.base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'mallory@example.test', password: 'a long enough password' }),
    });
    const { landed } = await signInThroughProvider('mallory');
    expect(landed.url.pathname).toBe('/account/sign-in/');
    expect(decodeURIComponent(landed.url.search)).toContain('the identity provider has not verified that address');
    expect(landed.text).toContain('the identity provider has not verified that address');
  });

  it('never lands on another site after signing in, whatever `next` says', async () => {
    // A tab is dropped by URL parsing, so /\t/evil.example/ is //evil.example/ to a browser.
    const { landed } = await signInThroughProvider('alice', '/\t/evil.example/');
    expect(landed.url.href).toBe(`${portal.base}/account/`);
  });

  it('rejects a callback that this browser did not start', async () => {
    const res = await fetch(`${portal.base}/auth/oidc/callback?code=forged&state=forged`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(decodeURIComponent(res.headers.get('location')!)).toContain('This sign-in was not started here, or took too long. Start again.');
  });
});
