import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, keyChecksum, parseApiKey } from '../../src/lib/keys/format.ts';

// An independent CRC32 (IEEE, reflected, polynomial 0xEDB88320) and base62 encoder, to check the
// module against the definition rather than against itself.
function crc32Reference(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function base62Reference(n: number, width: number): string {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let big = BigInt(n);
  let out = '';
  do {
    out = digits[Number(big % 62n)] + out;
    big /= 62n;
  } while (big > 0n);
  return out.padStart(width, '0');
}

describe('the API key format', () => {
  it('checksums with CRC32 in base62, padded to 6 (the standard check value of "123456789" is 0xCBF43926)', () => {
    expect(crc32Reference('123456789')).toBe(0xcbf43926);
    expect(keyChecksum('123456789')).toBe(base62Reference(0xcbf43926, 6));
    expect(keyChecksum('123456789')).toBe('3jZRME'); // 3421780262 in base62, worked by hand
    expect(keyChecksum('')).toBe('000000');
  });

  it('generates <prefix>_<live|test>_<32 random><6 checksum>, with an 8-character key id and a SHA-256', () => {
    const { key, keyId, sha256 } = generateApiKey('acme', 'test');
    expect(key).toMatch(/^acme_test_[0-9A-Za-z]{38}$/);
    const random = key.slice('acme_test_'.length, -6);
    expect(key.slice(-6)).toBe(base62Reference(crc32Reference(random), 6));
    expect(keyId).toBe(random.slice(0, 8));
    expect(sha256).toBe(hashApiKey(key));
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(generateApiKey().key.startsWith('ptc_live_')).toBe(true);
  });

  it('draws every base62 character, without bias toward the first ones', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) for (const c of generateApiKey().key.slice(9, 41)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (400 * 32) / 62; // about 206 per character
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.4);
  });

  it('accepts a key it generated, and says what is wrong with a bad one without echoing it', () => {
    const { key, keyId } = generateApiKey('ptc');
    expect(parseApiKey(key, 'ptc')).toEqual({ ok: true, prefix: 'ptc', environment: 'live', keyId });
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    const results = [parseApiKey(typo), parseApiKey(key.slice(0, -3)), parseApiKey(key, 'acme'), parseApiKey('Bearer something')];
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'the key has a typo: its checksum does not match (copy it again)',
      'the key has 35 characters after "ptc_live_" where there should be 38: was it cut when copied?',
      'this key is not for this portal: its keys start with acme_',
      'this is not an API key: keys look like <prefix>_live_ followed by 38 letters and digits',
    ]);
    for (const r of results) if (!r.ok) expect(r.reason).not.toContain(key.slice(9, 20));
  });

  it('refuses a prefix that secret scanners could not match', () => {
    expect(() => generateApiKey('Acme')).toThrow('invalid key prefix "Acme": use 2 to 10 lower-case letters');
  });
});
