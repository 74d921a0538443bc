import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeHexLowerCase } from '@oslojs/encoding';

// An alphabet without look-alike characters (no l, o, 0, 1), as in Lucia's session design.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A random string of 24 characters from a 32-letter alphabet: 120 bits of entropy. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(24);
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

/** Splits `id.secret`; undefined for anything else. */
export function splitToken(token: string): { id: string; secret: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0].length > 64 || parts[1].length > 64) return undefined;
  return { id: parts[0], secret: parts[1] };
}
