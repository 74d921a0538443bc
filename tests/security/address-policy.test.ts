import { describe, expect, it } from 'vitest';
import { AddressRefusedError, classifyAddress, guardedConnection, isAllowedTarget, parseAllowList } from '../../src/lib/http/address-policy.ts';

/*
 * The one address policy of the portal's outbound calls (the try-it relay, `openApiSpec.url`):
 * every range of the IANA IPv4 and IPv6 special-purpose registries is refused, IPv4-mapped IPv6 is
 * judged as the IPv4 address it is (issue 14). No network here: literals are judged before any
 * connection.
 */

describe('the address policy', () => {
  it.each([
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private'],
    ['100.64.0.1', 'shared carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local, the cloud metadata address'],
    ['172.16.0.1', 'private'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation (TEST-NET-1)'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.254', 'benchmarking'],
    ['198.51.100.1', 'documentation (TEST-NET-2)'],
    ['203.0.113.1', 'documentation (TEST-NET-3)'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254'],
    ['::ffff:10.0.0.1', 'IPv4-mapped 10.0.0.1'],
    ['::7f00:1', 'IPv4-compatible (deprecated) 127.0.0.1'],
    ['64:ff9b::7f00:1', 'NAT64 well-known prefix'],
    ['64:ff9b:1::a9fe:a9fe', 'NAT64 local-use prefix'],
    ['100::1', 'discard-only'],
    ['2001::1', 'Teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:db8::1', 'documentation'],
    ['2002:7f00:1::1', '6to4'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['5f00::1', 'segment routing'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address) => {
    const verdict = classifyAddress(address);
    expect(verdict.public).toBe(false);
    if (!verdict.public) expect(verdict.words.length).toBeGreaterThan(0);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '::ffff:8.8.8.8', '2606:4700::1111', '2a00:1450:4001::1'])('lets the public address %s through', (address) => {
    expect(classifyAddress(address)).toEqual({ public: true });
  });

  it('says what a refused address is, in words', () => {
    expect(classifyAddress('::ffff:7f00:1')).toMatchObject({ words: 'the IPv4-mapped form of 127.0.0.1, a private or loopback address' });
    expect(classifyAddress('64:ff9b::7f00:1')).toMatchObject({ words: 'a NAT64 address (64:ff9b::/96: it reaches IPv4 through a translator)' });
    expect(classifyAddress('198.18.0.1')).toMatchObject({ words: 'a reserved, benchmarking or documentation address' });
  });

  it('refuses a literal address before any connection, naming the host as written and the port', () => {
    let refused: unknown;
    try {
      guardedConnection(new URL('http://[::ffff:169.254.169.254]/latest/meta-data/'), new Set());
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(AddressRefusedError);
    expect(refused).toMatchObject({
      host: '[::ffff:a9fe:a9fe]',
      port: '80',
      address: '::ffff:a9fe:a9fe',
      message: '[::ffff:a9fe:a9fe] resolves to ::ffff:a9fe:a9fe, the IPv4-mapped form of 169.254.169.254, a link-local address (where cloud metadata services answer)',
    });
  });

  it('lets an admin allow a host with its port, or a host on any port; nothing else', () => {
    const allow = parseAllowList(' 127.0.0.1:8080 , Gateway.internal ,[::1]:9000');
    expect(isAllowedTarget(allow, new URL('http://127.0.0.1:8080/x'))).toBe(true);
    expect(isAllowedTarget(allow, new URL('http://127.0.0.1:8081/x'))).toBe(false);
    expect(isAllowedTarget(allow, new URL('https://gateway.internal/x'))).toBe(true);
    expect(isAllowedTarget(allow, new URL('http://gateway.internal:7000/x'))).toBe(true);
    expect(isAllowedTarget(allow, new URL('http://[::1]:9000/x'))).toBe(true);
    expect(isAllowedTarget(allow, new URL('http://[::ffff:127.0.0.1]:8080/x'))).toBe(false);
    expect(() => guardedConnection(new URL('http://127.0.0.1:8080/x'), allow)).not.toThrow();
    expect(() => guardedConnection(new URL('http://127.0.0.1:8081/x'), allow)).toThrow(AddressRefusedError);
  });
});
