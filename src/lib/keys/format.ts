import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API keys in the secret-scanning-friendly format DESIGN.md fixes (after GitHub's token design):
 * `<prefix>_<live|test>_<32 base62 random><6 base62 CRC32 of the random part>`.
 * The checksum lets the portal and secret scanners reject typos offline; the key id (the first
 * 8 random characters) is safe to show and log.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const DEFAULT_KEY_PREFIX = 'ptc';

export type KeyEnvironment = 'live' | 'test';

export interface GeneratedKey {
  /** The key itself: shown once, never stored. */
  key: string;
  keyId: string;
  /** SHA-256 of the key, lower-case hex: what the database and hash-verifying gateways keep. */
  sha256: string;
}

/** Is this a usable key prefix (2 to 10 lower-case letters)? */
export function isValidKeyPrefix(prefix: string): boolean {
  return /^[a-z]{2,10}$/.test(prefix);
}

/** The CRC32 (IEEE, as zlib) of the random part, in base62, most significant digit first, padded to 6. */
export function keyChecksum(random: string): string {
  let n = crc32(Buffer.from(random, 'utf8'));
  let out = '';
  while (n > 0) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(CHECKSUM_LENGTH, '0');
}

/** 32 uniformly random base62 characters (rejection sampling: no modulo bias). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]; // 248 = 4 * 62
    }
  }
  return out;
}

/** SHA-256 of a key, lower-case hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key. Its plaintext must leave the process only in the one response that shows it. */
export function generateApiKey(prefix: string = DEFAULT_KEY_PREFIX, environment: KeyEnvironment = 'live'): GeneratedKey {
  if (!isValidKeyPrefix(prefix)) throw new Error(`invalid key prefix "${prefix}": use 2 to 10 lower-case letters`);
  const random = randomBase62(RANDOM_LENGTH);
  const key = `${prefix}_${environment}_${random}${keyChecksum(random)}`;
  return { key, keyId: random.slice(0, 8), sha256: hashApiKey(key) };
}

export type ParsedKey = { ok: true; prefix: string; environment: KeyEnvironment; keyId: string } | { ok: false; reason: string };

/**
 * Checks a key's shape and checksum without any lookup, and says what is wrong in words.
 * Never echoes the key back: a message may end up in a log.
 */
export function parseApiKey(key: string, expectedPrefix?: string): ParsedKey {
  const match = /^([a-z]{2,10})_(live|test)_([0-9A-Za-z]+)$/.exec(key.trim());
  if (!match) return { ok: false, reason: 'this is not an API key: keys look like <prefix>_live_ followed by 38 letters and digits' };
  const [, prefix, environment, rest] = match as unknown as [string, string, KeyEnvironment, string];
  if (expectedPrefix && prefix !== expectedPrefix) return { ok: false, reason: `this key is not for this portal: its keys start with ${expectedPrefix}_` };
  if (rest.length !== RANDOM_LENGTH + CHECKSUM_LENGTH)
    return { ok: false, reason: `the key has ${rest.length} characters after "${prefix}_${environment}_" where there should be ${RANDOM_LENGTH + CHECKSUM_LENGTH}: was it cut when copied?` };
  const random = rest.slice(0, RANDOM_LENGTH);
  if (keyChecksum(random) !== rest.slice(RANDOM_LENGTH)) return { ok: false, reason: 'the key has a typo: its checksum does not match (copy it again)' };
  return { ok: true, prefix, environment, keyId: random.slice(0, 8) };
}
