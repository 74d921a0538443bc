import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Catalog, Server } from '../catalog/model.ts';
import { ProblemError } from '../errors.ts';
import { RELAY_COOKIE_HEADER } from './path.ts';

/**
 * The try-it relay: forwards a console's request to a server that an API's spec declares, and to
 * nothing else, so try-it works without CORS on the gateway and the portal is never an open proxy.
 */

export interface RelayPolicy {
  /** Server URLs the specs declare (after override.servers), as origin + path prefix. */
  servers: string[];
  /** `host:port` pairs an admin allows even though they are private or loopback (the demo gateway). */
  allowPrivate: Set<string>;
  maxRequestBytes: number;
  maxResponseBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_LIMITS = { maxRequestBytes: 1024 * 1024, maxResponseBytes: 5 * 1024 * 1024, timeoutMs: 15_000, maxRedirects: 3 };

const declaredCache = new WeakMap<Catalog, string[]>();

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

function computeDeclaredServers(catalog: Catalog): string[] {
  const urls = new Set<string>();
  for (const api of catalog.apis) {
    for (const v of api.versions) {
      // Operation-level servers too: the Try it panel offers them for their operations.
      const servers = [...v.servers, ...v.operations.flatMap((op) => op.servers ?? [])];
      for (const s of servers) for (const u of expandServer(s)) urls.add(u.replace(/\/+$/, ''));
    }
  }
  return [...urls].filter((u) => /^https?:\/\//i.test(u)).sort();
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
  return urls.filter((u) => !/[{}]/.test(u));
}

/** Is this address private, loopback, link-local or otherwise not on the public internet? */
export function isNonPublicAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6 === '::1' || v6 === '::') return true;
  if (v6.startsWith('::ffff:')) return isNonPublicAddress(v6.slice(7));
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(v6);
}

/** Checks a target URL against the declared servers; returns the URL, or throws a problem that says why not. */
export function checkDeclared(target: string, policy: RelayPolicy): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ProblemError(400, 'relay-bad-url', 'The target is not a URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProblemError(403, 'relay-scheme', `Only http and https can be tried from the portal, not ${url.protocol.replace(':', '')}.`);
  if (url.username || url.password) throw new ProblemError(403, 'relay-credentials-in-url', 'The target URL may not carry a user name or password.');
  const plain = `${url.origin}${url.pathname}`;
  const declared = policy.servers.some((s) => {
    const server = new URL(s);
    const prefix = server.pathname.replace(/\/+$/, '');
    return server.origin === url.origin && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`) || prefix === '');
  });
  if (!declared) throw new ProblemError(403, 'relay-host-not-declared', `${url.host} is not a server any API of this portal declares, so the portal will not call it (${plain}).`);
  return url;
}

/** Resolves the host once and checks every address; the connection then uses exactly that address (no DNS rebinding). */
export async function resolvePinned(url: URL, policy: RelayPolicy): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  } catch {
    throw new ProblemError(502, 'relay-dns', `${url.hostname} does not resolve.`);
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const allowed = policy.allowPrivate.has(`${url.hostname}:${port}`);
  const bad = addresses.find((a) => isNonPublicAddress(a.address));
  if (bad && !allowed) {
    throw new ProblemError(403, 'relay-private-address', `${url.hostname} resolves to ${bad.address}, a private or loopback address; the portal does not call those unless an admin allows ${url.hostname}:${port}.`);
  }
  return addresses[0]!;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'cookie', 'origin', 'referer', 'content-length']);

export interface RelayRequest {
  method: string;
  target: string;
  headers: Headers;
  body?: Uint8Array;
}

export interface RelayResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL finally answered (after allowed redirects). */
  url: string;
}

/**
 * Forwards one request. Hop-by-hop headers, cookies and the portal's own headers are not forwarded
 * (the portal's session never leaves the portal); cookies meant for the API come in
 * RELAY_COOKIE_HEADER and go on as Cookie. Set-Cookie from upstream is dropped. Redirects are
 * followed only to declared servers, checked again at each hop.
 */
export async function relay(request: RelayRequest, policy: RelayPolicy): Promise<RelayResponse> {
  if (request.body && request.body.byteLength > policy.maxRequestBytes) {
    throw new ProblemError(413, 'relay-request-too-large', `The request body is larger than the ${Math.round(policy.maxRequestBytes / 1024)} KiB the portal relays.`);
  }
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (lower === RELAY_COOKIE_HEADER) {
      if (value.trim()) headers.cookie = value;
    } else if (!HOP_BY_HOP.has(lower) && !lower.startsWith('x-portico-') && !lower.startsWith('sec-')) headers[name] = value;
  });
  let url = checkDeclared(request.target, policy);
  let method = request.method.toUpperCase();
  let body = request.body;
  for (let hop = 0; ; hop++) {
    const pinned = await resolvePinned(url, policy);
    const response = await send(url, method, headers, body, pinned, policy);
    const location = response.status >= 300 && response.status < 400 ? response.headers.location : undefined;
    if (!location) return { ...response, url: url.href };
    if (hop >= policy.maxRedirects) throw new ProblemError(502, 'relay-too-many-redirects', `The server redirected more than ${policy.maxRedirects} times.`);
    const next = new URL(location, url);
    try {
      url = checkDeclared(next.href, policy);
    } catch {
      throw new ProblemError(502, 'relay-redirect-refused', `The server redirected to ${next.host}, which no API of this portal declares; the portal does not follow it.`);
    }
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}

function send(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | undefined, pinned: { address: string; family: number }, policy: RelayPolicy): Promise<Omit<RelayResponse, 'url'>> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method,
        headers: { ...headers, host: url.host, ...(body ? { 'content-length': String(body.byteLength) } : {}) },
        // Connect to the address that was checked, whatever DNS says now: no rebinding.
        lookup: (_host, options, callback) => {
          const cb = callback as (err: null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
          // Node asks for every address when it races connections (autoSelectFamily): answer in that form too.
          if ((options as { all?: boolean }).all) cb(null, [{ address: pinned.address, family: pinned.family }]);
          else cb(null, pinned.address, pinned.family);
        },
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
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined || k === 'set-cookie' || HOP_BY_HOP.has(k)) continue;
            out[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      reject(new ProblemError(504, 'relay-timeout', `${url.host} did not answer within ${policy.timeoutMs / 1000} seconds.`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof ProblemError) return reject(err);
      reject(new ProblemError(502, 'relay-upstream-unreachable', err.code === 'ECONNREFUSED' ? `${url.host} refused the connection: is the gateway running?` : `${url.host} could not be reached (${err.code ?? err.message}).`));
    });
    if (body) req.write(body);
    req.end();
  });
}
