/**
 * What the SOPS writer (sops-age.ts) and any reader of its files must agree on, byte for byte: which
 * leaves are encrypted, in which order they are hashed into the MAC, and under which AAD. From
 * getsops/sops `sops.go` (`Tree.Encrypt`, `shouldBeEncrypted`, `walkSlice`) and `stores/stores.go`.
 */
import { PorticoError } from '../../errors.ts';

/** The GCM tag length SOPS writes (aes/cipher.go). */
export const TAG_BYTES = 16;
/** A SOPS data key: AES-256. */
export const DATA_KEY_BYTES = 32;

/** A SOPS document without its `sops` block, as a tree of ordered maps. */
export type Tree = Map<string, unknown>;

/** Which leaves a SOPS document encrypts: its `encrypted_regex`, `unencrypted_suffix` and the like. */
export interface SopsPolicy {
  encryptedRegex?: RegExp;
  unencryptedRegex?: RegExp;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
}

/** sops.go `Tree.shouldBeEncrypted`: a leaf is encrypted when any key on its path matches the rule. */
export function shouldBeEncrypted(path: string[], policy: SopsPolicy): boolean {
  let encrypted = true;
  const { unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex } = policy;
  if (unencryptedSuffix && path.some((p) => p.endsWith(unencryptedSuffix))) encrypted = false;
  if (encryptedSuffix) encrypted = path.some((p) => p.endsWith(encryptedSuffix));
  if (unencryptedRegex && path.some((p) => unencryptedRegex.test(p))) encrypted = false;
  if (encryptedRegex) encrypted = path.some((p) => encryptedRegex.test(p));
  return encrypted;
}

/** Visits leaves in document order; list items keep their parent's path, as in sops.go `walkSlice`. */
export function walk(node: unknown, path: string[], onLeaf: (leaf: unknown, path: string[]) => unknown): unknown {
  if (node instanceof Map) {
    const out: Tree = new Map();
    for (const [key, value] of node) out.set(String(key), walk(value, [...path, String(key)], onLeaf));
    return out;
  }
  if (Array.isArray(node)) return node.map((item) => walk(item, path, onLeaf));
  if (node === null || node === undefined) return node; // SOPS neither encrypts nor hashes nulls
  return onLeaf(node, path);
}

/** The per-value AAD: the path of keys joined with ':' plus a trailing ':' (sops.go `Tree.Encrypt`). */
export function aadOf(path: string[]): string {
  return `${path.join(':')}:`;
}

/** stores.go `ToBytes`: how SOPS feeds a plaintext leaf into the MAC. */
export function leafToBytes(leaf: unknown, path: string[]): Buffer {
  if (typeof leaf === 'string') return Buffer.from(leaf, 'utf8');
  if (typeof leaf === 'boolean') return Buffer.from(leaf ? 'True' : 'False');
  if (typeof leaf === 'number' && Number.isFinite(leaf)) return Buffer.from(String(leaf));
  if (typeof leaf === 'bigint') return Buffer.from(leaf.toString());
  if (leaf instanceof Uint8Array) return Buffer.from(leaf);
  throw new PorticoError(`The value at ${aadOf(path)} has a type SOPS cannot hash.`);
}
