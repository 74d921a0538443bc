import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Catalog, Server } from '../catalog/model.ts';
import { ProblemError } from '../errors.ts';
import { AddressRefusedError, guardedConnection } from '../http/address-policy.ts';
import { upstreamHeadersToPass } from './answer-headers.ts';
import { RELAY_COOKIE_HEADER } from './path.ts';

/** Kept here too: the relay's tests and callers have always asked the relay. */
export { isNonPublicAddress } from '../http/address-policy.ts';

/**
 * The try-it relay: forwards a console's request to a server that an API's spec declares, and to
 * nothing else, so try-it works without CORS on the gateway and the portal is never an open proxy.
 */

export interface RelayPolicy {
  /** Server URLs the specs declare (after override.servers), as origin + path prefix. */
  servers: string[];
  /**
   * Request headers the specs declare for each of those servers (header parameters, API key
   * headers, Authorization for HTTP, OAuth 2 and OpenID Connect schemes), lower case.
   */
  requestHeaders: ReadonlyMap<string, ReadonlySet<string>>;
  /** `host:port` pairs (or hosts) an admin allows even though they are not public (the demo gateway): PORTICO_RELAY_ALLOW. */
  allowPrivate: ReadonlySet<string>;
  maxRequestBytes: number;
  maxResponseBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_LIMITS = { maxRequestBytes: 1024 * 1024, maxResponseBytes: 5 * 1024 * 1024, timeoutMs: 15_000, maxRedirects: 3 };

const declaredCache = new WeakMap<Catalog, string[]>();
const headersCache = new WeakMap<Catalog, Map<string, Set<string>>>();

/**
 * Every concrete server URL the catalog's specs declare; server variables expand to their default
 * and enum values. Computed once per catalog (the relay asks on every request).
 */
export function declaredServers(catalog: Catalog): string[] {
  const known = declaredCache.get(catalog);
  if (known) return known;
  const result = computeDeclaredServers(catalog);
  declaredCache.set(catalog, result);
  return result;
}

/** The concrete, usable (http or https, parseable) URLs of one API version's servers and its operations' servers. */
function versionServerUrls(v: Catalog['apis'][number]['versions'][number]): string[] {
  // Operation-level servers too: the Try it panel offers them for their operations.
  const servers = [...(v.servers ?? []), ...(v.operations ?? []).flatMap((op) => op.servers ?? [])];
  // A URL that does not parse (a variable default holding `">`) is left out: it could never be
  // called, and keeping it would make every later comparison throw.
  return servers
    .flatMap(expandServer)
    .map((u) => u.replace(/\/+$/, ''))
    .filter((u) => /^https?:\/\//i.test(u) && URL.canParse(u));
}

function computeDeclaredServers(catalog: Catalog): string[] {
  const urls = new Set<string>();
  for (const api of catalog.apis) for (const v of api.versions) for (const u of versionServerUrls(v)) urls.add(u);
  return [...urls].sort();
}

/**
 * For each declared server URL, the request headers its specs declare: header parameters, the
 * header of an `apiKey` scheme, and Authorization for `http`, `oauth2` and `openIdConnect`
 * schemes. These, Accept and Content-Type are all the relay sends on: whatever else reaches the
 * portal (its session cookie, a personal access token, X-Forwarded-For from a proxy) stays here.
 */
export function declaredRequestHeaders(catalog: Catalog): Map<string, Set<string>> {
  const known = headersCache.get(catalog);
  if (known) return known;
  const result = new Map<string, Set<string>>();
  for (const api of catalog.apis) {
    for (const v of api.versions) {
      const names = new Set<string>();
      for (const op of v.operations ?? []) {
        for (const p of op.parameters ?? []) if (p.in === 'header' && typeof p.name === 'string') names.add(p.name.toLowerCase());
      }
      for (const scheme of Object.values(v.securitySchemes ?? {})) {
        if (scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string') names.add(scheme.name.toLowerCase());
        if (scheme.type === 'http' || scheme.type === 'oauth2' || scheme.type === 'openIdConnect') names.add('authorization');
      }
      for (const u of versionServerUrls(v)) {
        const set = result.get(u) ?? new Set<string>();
        for (const n of names) set.add(n);
        result.set(u, set);
      }
    }
  }
  headersCache.set(catalog, result);
  return result;
}

/**
 * The concrete URLs of one Server Object: each variable takes its default, then its enum values.
 * The Try it panel offers exactly these, so it never offers a server the relay would refuse.
 */
export function expandServer(server: Server): string[] {
  let urls = [server.url];
  for (const [name, variable] of Object.entries(server.variables ?? {})) {
    const values = [...new Set([variable.default, ...(variable.enum ?? [])])];
    urls = urls.flatMap((u) => values.map((v) => u.split(`{${name}}`).join(v)));
  }
  // An absolute URL that does not parse (a variable default holding `">`) could never be called.
  return urls.filter((u) => !/[{}]/.test(u) && (!/^[a-z][a-z0-9+.-]*:/i.test(u) || URL.canParse(u)));
}

/** The declared servers a URL falls under: same origin, and a path within the server's path. */
function serversOf(url: URL, servers: string[]): string[] {
  return servers.filter((s) => {
    if (!URL.canParse(s)) return false;
    const server = new URL(s);
    const prefix = server.pathname.replace(/\/+$/, '');
    return server.origin === url.origin && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`) || prefix === '');
  });
}

/** Checks a target URL against the declared servers; returns the URL, or throws a problem that says why not. */
export function checkDeclared(target: string, policy: Pick<RelayPolicy, 'servers'>): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ProblemError(400, 'relay-bad-url', 'The target is not a URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProblemError(403, 'relay-scheme', `Only http and https can be tried from the portal, not ${url.protocol.replace(':', '')}.`);
  if (url.username || url.password) throw new ProblemError(403, 'relay-credentials-in-url', 'The target URL may not carry a user name or password.');
  const plain = `${url.origin}${url.pathname}`;
  if (serversOf(url, policy.servers).length === 0)
    throw new ProblemError(403, 'relay-host-not-declared', `${url.host} is not a server any API of this portal declares, so the portal will not call it (${plain}).`);
  return url;
}

/** Headers every console request may carry whatever the spec says: what the body is, and what answer is wanted. */
const ALWAYS_FORWARDED = new Set(['accept', 'content-type']);

/** The request headers the relay sends on to `url`: only those its specs declare, plus Accept and Content-Type. */
function forwardedHeaders(request: RelayRequest, url: URL, policy: RelayPolicy): Record<string, string> {
  const declared = new Set(ALWAYS_FORWARDED);
  for (const s of serversOf(url, policy.servers)) for (const n of policy.requestHeaders.get(s) ?? []) declared.add(n);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    // A page may not set Cookie: the console's cookies for the API come in this header of their own.
    if (lower === RELAY_COOKIE_HEADER) {
      if (value.trim()) headers.cookie = value;
      return;
    }
    // The portal's own credential (a personal access token the caller signed in with) never leaves the portal.
    if (lower === 'authorization' && request.authorizationIsPortalCredential) return;
    if (declared.has(lower)) headers[lower] = value;
  });
  return headers;
}

export interface RelayRequest {
  method: string;
  target: string;
  headers: Headers;
  body?: Uint8Array;
  /** The portal signed the caller in with this request's Authorization header: it is the portal's, not the API's. */
  authorizationIsPortalCredential?: boolean;
}

export interface RelayResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL finally answered (after allowed redirects). */
  url: string;
}

/**
 * Forwards one request. Only the headers the console sets for the API go on (see
 * forwardedHeaders); cookies meant for the API come in RELAY_COOKIE_HEADER and go on as Cookie.
 * Only an allow-list of the answer's headers comes back (see answer-headers.ts). Redirects are
 * followed only to declared servers, checked again at each hop, and every connection goes only to
 * an address the address policy permits (src/lib/http/address-policy.ts).
 */
export async function relay(request: RelayRequest, policy: RelayPolicy): Promise<RelayResponse> {
  if (request.body && request.body.byteLength > policy.maxRequestBytes) {
    throw new ProblemError(413, 'relay-request-too-large', `The request body is larger than the ${Math.round(policy.maxRequestBytes / 1024)} KiB the portal relays.`);
  }
  let url = checkDeclared(request.target, policy);
  const headers = forwardedHeaders(request, url, policy);
  let method = request.method.toUpperCase();
  let body = request.body;
  for (let hop = 0; ; hop++) {
    let response: Omit<RelayResponse, 'url'> & { location?: string };
    try {
      response = await send(url, method, headers, body, policy);
    } catch (err) {
      if (err instanceof AddressRefusedError) {
        const allow = `${err.host}:${err.port}`;
        if (hop === 0) throw new ProblemError(403, 'relay-private-address', `${err.message}; the portal does not call those unless an admin allows ${allow}.`);
        throw new ProblemError(
          502,
          'relay-redirect-refused',
          `The server redirected to ${url.host}, which resolves to ${err.address}, ${err.words}; the portal does not follow it unless an admin allows ${allow}.`,
        );
      }
      throw err;
    }
    const location = response.status >= 300 && response.status < 400 ? response.location : undefined;
    if (!location) return { status: response.status, headers: response.headers, body: response.body, url: url.href };
    if (hop >= policy.maxRedirects) throw new ProblemError(502, 'relay-too-many-redirects', `The server redirected more than ${policy.maxRedirects} times.`);
    const next = new URL(location, url);
    try {
      checkDeclared(next.href, policy);
    } catch {
      throw new ProblemError(502, 'relay-redirect-refused', `The server redirected to ${next.host}, which no API of this portal declares; the portal does not follow it.`);
    }
    // As browsers do (Fetch standard): credentials meant for one origin do not follow a redirect to another.
    if (next.origin !== url.origin) {
      delete headers.authorization;
      delete headers.cookie;
    }
    url = next;
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
  }
}

/**
 * Kept-alive connections to the declared servers. A socket is checked once, when it connects (the
 * lookup hook below), and is pooled under its host and port only: reusing it goes to the address
 * that was checked, so DNS rebinding cannot move it, and a literal address is checked before every
 * request.
 */
const AGENTS = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

function send(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | undefined, policy: RelayPolicy): Promise<Omit<RelayResponse, 'url'> & { location?: string }> {
  const client = url.protocol === 'https:' ? https : http;
  // Checks a literal address now and a name when it is resolved for a new connection (no DNS rebinding).
  const { lookup } = guardedConnection(url, policy.allowPrivate);
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method,
        agent: url.protocol === 'https:' ? AGENTS.https : AGENTS.http,
        headers: { ...headers, host: url.host, ...(body ? { 'content-length': String(body.byteLength) } : {}) },
        lookup,
        timeout: policy.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > policy.maxResponseBytes) {
            req.destroy();
            reject(new ProblemError(502, 'relay-response-too-large', `The answer is larger than the ${Math.round(policy.maxResponseBytes / 1024 / 1024)} MiB the portal relays.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
          resolve({ status, headers: upstreamHeadersToPass(res.headers as IncomingHttpHeaders, status), body: Buffer.concat(chunks), ...(location ? { location } : {}) });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      reject(new ProblemError(504, 'relay-timeout', `${url.host} did not answer within ${policy.timeoutMs / 1000} seconds.`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof ProblemError || err instanceof AddressRefusedError) return reject(err);
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return reject(new ProblemError(502, 'relay-dns', `${url.hostname} does not resolve.`));
      reject(
        new ProblemError(
          502,
          'relay-upstream-unreachable',
          err.code === 'ECONNREFUSED' ? `${url.host} refused the connection: is the gateway running?` : `${url.host} could not be reached (${err.code ?? err.message}).`,
        ),
      );
    });
    if (body) req.write(body);
    req.end();
  });
}
