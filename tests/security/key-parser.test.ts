import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKey, parseApiKey } from '../../src/lib/keys/format.ts';

/*
 * The key parser is what stands between a pasted string and a lookup: it must never throw, accept
 * only the documented shape with a correct checksum, and refuse any one-character change of a real
 * key (a typo, or someone guessing), without echoing the secret part back.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// An independent CRC32 (IEEE) and base62 writer, to judge the parser against the definition in DESIGN.md.
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function checksumOf(random: string): string {
  let n = BigInt(crc32(random));
  let out = '';
  do {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  } while (n > 0n);
  return out.padStart(6, '0');
}

/** Is `text` a key by the definition: shape and checksum? */
function isWellFormedKey(text: string): boolean {
  const m = /^([a-z]{2,10})_(live|test)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/.exec(text.trim());
  return !!m && checksumOf(m[3]!) === m[4];
}

const settings = { numRuns: 2000 };
const prefix = fc.stringMatching(/^[a-z]{2,10}$/);
const base62 = (length: number) => fc.array(fc.constantFrom(...BASE62.split('')), { minLength: length, maxLength: length }).map((a) => a.join(''));

describe('parseApiKey under random input', () => {
  it('never throws on any string, and accepts only well-formed keys with a good checksum', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80, unit: 'binary' }), fc.string({ maxLength: 80, unit: 'grapheme' }));
    fc.assert(
      fc.property(anyText, fc.option(prefix, { nil: undefined }), (text, expected) => {
        const result = parseApiKey(text, expected);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
        expect(result.ok).toBe(isWellFormedKey(text) && (!expected || text.trim().startsWith(`${expected}_`)));
      }),
      settings,
    );
  });

  it('refuses key-shaped strings whose checksum does not match, and accepts those whose does', () => {
    const shaped = fc.tuple(prefix, fc.constantFrom('live', 'test'), base62(32), fc.oneof(base62(6), fc.constant(null)));
    fc.assert(
      fc.property(shaped, ([p, env, random, checksum]) => {
        const key = `${p}_${env}_${random}${checksum ?? checksumOf(random)}`;
        const result = parseApiKey(key, p);
        expect(result.ok).toBe(checksum === null || checksum === checksumOf(random));
        if (result.ok) expect(result).toEqual({ ok: true, prefix: p, environment: env, keyId: random.slice(0, 8) });
      }),
      settings,
    );
  });

  it('refuses every one-character change to a real key, and never echoes its secret', () => {
    const change = fc.record({
      prefix,
      environment: fc.constantFrom('live' as const, 'test' as const),
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'insert'),
      char: fc.oneof(fc.constantFrom(...BASE62.split(''), '_', ' ', '\t', '\n', '-', '.'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
    });
    fc.assert(
      fc.property(change, ({ prefix: p, environment, at, kind, char }) => {
        const { key } = generateApiKey(p, environment);
        const i = at % key.length;
        if (kind === 'replace' && key[i] === char) return; // not a change
        const changed = kind === 'replace' ? key.slice(0, i) + char + key.slice(i + 1) : kind === 'delete' ? key.slice(0, i) + key.slice(i + 1) : key.slice(0, i) + char + key.slice(i);
        if (changed.trim() === key) return; // the same key, with a space pasted before it
        const result = parseApiKey(changed, p);
        expect(result.ok, `${kind} at ${i}`).toBe(false);
        const secret = key.slice(-38, -6);
        if (!result.ok) for (let s = 0; s + 12 <= secret.length; s += 4) expect(result.reason).not.toContain(secret.slice(s, s + 12));
      }),
      settings,
    );
  });

  it('accepts every key it generates, for every prefix and environment', () => {
    fc.assert(
      fc.property(prefix, fc.constantFrom('live' as const, 'test' as const), (p, environment) => {
        const { key, keyId } = generateApiKey(p, environment);
        expect(isWellFormedKey(key)).toBe(true);
        expect(parseApiKey(key, p)).toEqual({ ok: true, prefix: p, environment, keyId });
      }),
      { numRuns: 500 },
    );
  });
});
