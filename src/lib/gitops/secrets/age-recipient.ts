/**
 * Checks an age X25519 recipient (`age1` + 58 characters) fully: the Bech32 checksum (BIP 173) and
 * the 32-byte key length, so a mistyped recipient stops the start-up instead of failing every key
 * later. Age uses plain Bech32 (not Bech32m) with the human-readable part `age`.
 */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= GENERATOR[i]!;
  }
  return checksum;
}

/** Why `recipient` is not a usable age X25519 recipient, or undefined when it is one. */
export function ageRecipientProblem(recipient: string): string | undefined {
  if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) return 'which is not an age X25519 recipient (age1 followed by 58 characters)';
  const data = [...recipient.slice(4)].map((c) => CHARSET.indexOf(c));
  const hrp = [...'age'].map((c) => c.charCodeAt(0));
  const expanded = [...hrp.map((c) => c >> 5), 0, ...hrp.map((c) => c & 31)];
  if (polymod([...expanded, ...data]) !== 1) return 'whose checksum is wrong (a character was mistyped or lost)';
  // 52 five-bit groups carry the 32-byte key (with 4 zero padding bits); the last 6 are the checksum.
  const groups = data.slice(0, -6);
  if (groups.length * 5 - 256 !== 4 || (groups.at(-1)! & 0b1111) !== 0) return 'which does not hold a 32-byte X25519 key';
  return undefined;
}
