import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses the portal's own outbound calls (the try-it relay, build-time `openApiSpec.url`
 * fetches) may connect to: public unicast addresses, and others only for a `host:port` an admin
 * allows. The check runs where the connection is made, on the address actually connected to, so a
 * name that resolves differently later (DNS rebinding) or a redirect gains nothing.
 * Ranges follow the IANA IPv4 and IPv6 special-purpose address registries, as ipaddr.js names them.
 */

/** Words for each range ipaddr.js names. Private and loopback keep the relay's long-standing wording. */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a private or loopback address',
  private: 'a private or loopback address',
  uniqueLocal: 'a private or loopback address (IPv6 unique local)',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  carrierGradeNat: 'a shared carrier-grade NAT address (100.64.0.0/10)',
  reserved: 'a reserved, benchmarking or documentation address',
  as112: 'an AS112 DNS sink address',
  amt: 'an AMT relay address',
  deprecatedSiteLocal: 'a site-local address (fec0::/10, private by design)',
  discard: 'a discard-only address (100::/64)',
  rfc6145: 'an IPv4-translated address (it reaches IPv4 through a translator)',
  rfc6052: 'a NAT64 address (64:ff9b::/96: it reaches IPv4 through a translator)',
  '6to4': 'a 6to4 address (2002::/16: it embeds an IPv4 address)',
  teredo: 'a Teredo address (2001::/32: it embeds an IPv4 address)',
  benchmarking: 'a benchmarking address',
  deprecatedOrchid: 'an ORCHID address',
  orchid2: 'an ORCHIDv2 address',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID address',
  segmentRouting: 'a segment routing address',
};

// IANA allocates global unicast IPv6 only from 2000::/3; anything else not named above (::/96, the
// old IPv4-compatible form, unallocated space) is not a public host either.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export type AddressClass = { public: true } | { public: false; range: string; words: string };

/** Classifies one IP address: public unicast, or which special-purpose range it is in, in words. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return { public: false, range: 'invalid', words: 'not an IP address' };
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // ::ffff:a.b.c.d is the IPv4 address a.b.c.d to the kernel: judge it as that address.
    if (v6.isIPv4MappedAddress()) {
      const v4 = v6.toIPv4Address().toString();
      const inner = classifyAddress(v4);
      return inner.public ? inner : { ...inner, words: `the IPv4-mapped form of ${v4}, ${inner.words}` };
    }
    const range = v6.range();
    if (range === 'unicast') return v6.match(GLOBAL_UNICAST_V6) ? { public: true } : { public: false, range: 'unallocated', words: 'an IPv6 address outside the global unicast range 2000::/3' };
    return { public: false, range, words: RANGE_WORDS[range] ?? `a special-purpose address (${range})` };
  }
  const range = parsed.range();
  if (range === 'unicast') return { public: true };
  return { public: false, range, words: RANGE_WORDS[range] ?? `a special-purpose address (${range})` };
}

/** Is this address private, loopback, link-local, reserved or otherwise not a public host? */
export function isNonPublicAddress(address: string): boolean {
  return !classifyAddress(address).public;
}

/** A comma-separated allow-list setting (`host:port` or `host`, IPv6 in brackets) as a set. */
export function parseAllowList(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The port a URL connects to, written out (80 and 443 included). */
export function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Does the allow-list name this URL's host, with its port or without one (any port)? */
export function isAllowedTarget(allow: ReadonlySet<string>, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const withPort = `${host}:${portOf(url)}`;
  for (const entry of allow) {
    const e = entry.toLowerCase();
    if (e === withPort || e === host) return true;
  }
  return false;
}

/** Thrown, before any connection, for an address the policy refuses. */
export class AddressRefusedError extends Error {
  /** The URL's host as written (`[::ffff:7f00:1]`, `localhost`). */
  readonly host: string;
  readonly port: string;
  readonly address: string;
  /** What the address is, in words: "a private or loopback address". */
  readonly words: string;

  constructor(host: string, port: string, address: string, words: string) {
    super(`${host} resolves to ${address}, ${words}`);
    this.name = 'AddressRefusedError';
    this.host = host;
    this.port = port;
    this.address = address;
    this.words = words;
  }
}

/**
 * Options for node:http(s) `request` that make it connect only where the policy permits: a literal
 * address is checked here and now (Node connects to literals without a lookup), a name when it is
 * looked up for the connection itself. Throws AddressRefusedError; the lookup hook reports it as
 * the request's error. A pooled socket was checked when it connected, for the same host and port.
 */
export function guardedConnection(url: URL, allow: ReadonlySet<string>): { lookup: LookupFunction } {
  const allowed = isAllowedTarget(allow, url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(url);
  if (isIP(host) && !allowed) {
    const verdict = classifyAddress(host);
    if (!verdict.public) throw new AddressRefusedError(url.hostname, port, ipaddr.parse(host).toString(), verdict.words);
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      // Every address must pass, not just the first: the socket may race them (autoSelectFamily).
      const refused = allowed ? undefined : addresses.map((a) => ({ a, verdict: classifyAddress(a.address) })).find((x) => !x.verdict.public);
      if (refused && !refused.verdict.public) return callback(new AddressRefusedError(url.hostname, port, refused.a.address, refused.verdict.words), '', 4);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return { lookup };
}
