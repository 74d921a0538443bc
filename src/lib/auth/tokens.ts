import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeHexLowerCase } from '@oslojs/encoding';

// An alphabet without look-alike characters (no l, o, 0, 1), as in Lucia's session design.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const LENGTH = 24;

/** One part of a token exactly as generateSecureRandomString makes it. */
const TOKEN_PART = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** A random string of 24 characters from a 32-letter alphabet: 120 bits of entropy. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(LENGTH);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b >> 3];
  return out;
}

/** SHA-256 of a secret, hex: what the database keeps instead of the secret. */
export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

/** Constant-time comparison of a secret against its stored hash: prevents timing attacks. */
export function secretMatches(secret: string, storedHashHex: string): boolean {
  let stored: Uint8Array;
  try {
    stored = decodeHex(storedHashHex);
  } catch {
    return false;
  }
  return constantTimeEqual(sha256(new TextEncoder().encode(secret)), stored);
}

/**
 * Splits `id.secret`; undefined for anything else. Both parts must be exactly what
 * generateSecureRandomString makes, so a cookie or token carrying a NUL byte, other bytes or
 * another length is simply not a token, and never reaches the database (PostgreSQL refuses NUL).
 */
export function splitToken(token: string): { id: string; secret: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !TOKEN_PART.test(parts[0]!) || !TOKEN_PART.test(parts[1]!)) return undefined;
  return { id: parts[0]!, secret: parts[1]! };
}
