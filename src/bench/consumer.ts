import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';

/**
 * A signed-in consumer of a running portal, talking to its JSON API as the account page does
 * (session cookie, same-origin `Origin` header on changes).
 */
export interface Consumer {
  base: string;
  cookie: string;
  /** Calls /api/v1<route>; a status other than `expect` is an error that names the call. */
  api<T = Record<string, unknown>>(method: string, route: string, body?: unknown, expect?: number): Promise<T>;
}

/** The HTTP agent shared by every consumer: kept-alive connections, as a browser has. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(
  base: string,
  method: string,
  route: string,
  headers: Record<string, string>,
  body: string | undefined,
  localAddress?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(route, base),
      {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) },
        agent: localAddress ? undefined : agent,
        localAddress,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Signs a new consumer up and confirms the address with the link the portal mailed (a file in its
 * data directory `dataDir`, as it delivers mail without a mail server). Sign-ups and sign-ins are
 * limited per IP address, so each consumer comes from its own loopback address (127.0.0.2,
 * 127.0.0.3, ...), as real consumers come from their own machines; `index` chooses it.
 */
export async function signUpConsumer(base: string, dataDir: string, email: string, index: number): Promise<Consumer> {
  const localAddress = `127.0.${Math.floor((index + 2) / 250)}.${((index + 2) % 250) + 2}`;
  const password = `bench password for ${email}`;
  const res = await request(base, 'POST', '/api/v1/auth/signup', { origin: base }, JSON.stringify({ email, password }), localAddress);
  if (res.status !== 202) throw new PorticoError(`signing up ${email} answered ${res.status}: ${res.text.slice(0, 300)}`);
  const token = newestMailedToken(path.join(dataDir, 'mail'), email);
  const confirmed = await request(base, 'POST', '/api/v1/auth/verify-email', { origin: base }, JSON.stringify({ token, password }), localAddress);
  if (confirmed.status !== 200) throw new PorticoError(`confirming ${email} answered ${confirmed.status}: ${confirmed.text.slice(0, 300)}`);
  const set = ([] as string[]).concat(confirmed.headers['set-cookie'] ?? []).find((c) => c.startsWith('portico_session='));
  if (!set) throw new PorticoError(`confirming ${email} set no session cookie`);
  return consumerWithCookie(base, set.split(';')[0]!);
}

/** The token of the newest confirmation link delivered to `to` as a file in `mailDir`. */
function newestMailedToken(mailDir: string, to: string): string {
  const mail = readdirSync(mailDir)
    .sort()
    .map((f) => readFileSync(path.join(mailDir, f), 'utf8'))
    .filter((text) => text.includes(`\nTo: ${to}\n`))
    .at(-1);
  const token = mail && /verify-email\?token=([A-Za-z0-9]+\.[A-Za-z0-9]+)/.exec(mail)?.[1];
  if (!token) throw new PorticoError(`no confirmation mail to ${to} in ${mailDir}`);
  return token;
}

/** A consumer with an existing session, on `base` (another portal instance on the same database takes the same cookie). */
export function consumerWithCookie(base: string, cookie: string): Consumer {
  return {
    base,
    cookie,
    async api<T>(method: string, route: string, body?: unknown, expect?: number): Promise<T> {
      const res = await request(base, method, `/api/v1${route}`, { origin: base, cookie, accept: 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
      const wanted = expect ?? (method === 'POST' ? 201 : 200);
      if (res.status !== wanted) throw new PorticoError(`${method} /api/v1${route} answered ${res.status} (expected ${wanted}): ${res.text.slice(0, 300)}`);
      return (res.text ? JSON.parse(res.text) : {}) as T;
    },
  };
}
