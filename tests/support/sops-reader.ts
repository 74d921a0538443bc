/**
 * Reads what sops-age.ts writes, as Flux's kustomize-controller does: unwraps the data key with an
 * age identity, checks the MAC and decrypts the values. Only tests need it: the portal encrypts and
 * never reads a key back.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { Decrypter, armor } from 'age-encryption';
import { parseDocument } from 'yaml';
import { PorticoError } from '../../src/lib/errors.ts';
import { aadOf, DATA_KEY_BYTES, leafToBytes, shouldBeEncrypted, type SopsPolicy, TAG_BYTES, type Tree, walk } from '../../src/lib/gitops/secrets/sops-tree.ts';

/** A decrypted SOPS document: the tree without its `sops` block, plus the data key that opened it. */
export interface SopsOpened {
  document: Record<string, unknown>;
  dataKey: Uint8Array;
}

const ENC_VALUE = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/;

interface SopsMetadata {
  age: Array<{ recipient: string; enc: string }>;
  lastModified: string;
  mac: string;
  policy: SopsPolicy;
}

/** Unwraps the data key of a SOPS document with an age identity (`AGE-SECRET-KEY-1...`), as Flux does. */
export async function decryptSopsDataKey(text: string, identity: string): Promise<Uint8Array> {
  const { metadata } = readDocument(text);
  const trimmed = identity.trim();
  if (!trimmed.startsWith('AGE-SECRET-KEY-1')) {
    throw new PorticoError('The age identity must be an X25519 secret key starting with AGE-SECRET-KEY-1.');
  }
  const decrypter = new Decrypter();
  try {
    decrypter.addIdentity(trimmed);
  } catch (err) {
    throw new PorticoError(`The age identity is not valid: ${(err as Error).message}.`);
  }
  for (const entry of metadata.age) {
    let key: Uint8Array;
    try {
      key = await decrypter.decrypt(armor.decode(entry.enc));
    } catch {
      continue; // encrypted for another recipient: try the next entry, like SOPS's key groups
    }
    if (key.length !== DATA_KEY_BYTES) {
      throw new PorticoError(`The SOPS data key for ${entry.recipient} is ${key.length} bytes long; SOPS data keys are 32.`);
    }
    return key;
  }
  throw new PorticoError(
    'None of the age recipients in this SOPS document matches the identity.',
    `The document is encrypted for: ${metadata.age.map((a) => a.recipient).join(', ') || '(no age recipient)'}.`,
  );
}

/**
 * Checks a SOPS document against its MAC with the given data key: every encrypted value must
 * authenticate under its path, and the SHA-512 over all values must equal the stored MAC.
 * Throws a PorticoError that says what was changed; returns nothing when the file is intact.
 */
export function verifySopsMac(text: string, dataKey: Uint8Array): void {
  openDocument(text, dataKey);
}

/** Decrypts a SOPS document with an age identity after checking its MAC; what Flux does before applying it. */
export async function decryptSopsDocument(text: string, identity: string): Promise<SopsOpened> {
  const dataKey = await decryptSopsDataKey(text, identity);
  return { document: mapToObject(openDocument(text, dataKey)), dataKey };
}

function openDocument(text: string, dataKey: Uint8Array): Tree {
  if (dataKey.length !== DATA_KEY_BYTES) throw new PorticoError(`A SOPS data key is 32 bytes; this one is ${dataKey.length}.`);
  const { tree, metadata } = readDocument(text);
  const hash = createHash('sha512');
  const plain = walk(tree, [], (leaf, path) => {
    if (!shouldBeEncrypted(path, metadata.policy)) {
      hash.update(leafToBytes(leaf, path));
      return leaf;
    }
    if (typeof leaf !== 'string') {
      throw new PorticoError(`The value at ${aadOf(path)} should be encrypted but is not: the file was edited by hand.`);
    }
    const opened = decryptValue(leaf, dataKey, aadOf(path));
    hash.update(opened.bytes);
    return opened.value;
  }) as Tree;
  const computed = hash.digest('hex').toUpperCase();

  let stored: string;
  try {
    stored = String(decryptValue(metadata.mac, dataKey, metadata.lastModified).value);
  } catch {
    throw new PorticoError("The SOPS MAC does not decrypt with this file's data key: the mac or lastmodified field was changed after encryption.");
  }
  const a = Buffer.from(stored, 'utf8');
  const b = Buffer.from(computed, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new PorticoError(
      'SOPS MAC mismatch: the values in the file are not the ones that were encrypted (a value was changed, added, removed or reordered).',
      `File has ${stored || 'no MAC'}, computed ${computed}.`,
    );
  }
  return plain;
}

function readDocument(text: string): { tree: Tree; metadata: SopsMetadata } {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new PorticoError(`The SOPS document is not valid YAML: ${doc.errors[0]!.message}`);
  const root = doc.toJS({ mapAsMap: true }) as unknown;
  if (!(root instanceof Map)) throw new PorticoError('The SOPS document must be a YAML mapping.');
  const sops = root.get('sops');
  if (!(sops instanceof Map)) throw new PorticoError('The document has no sops metadata block; it is not SOPS-encrypted.');
  const tree: Tree = new Map([...root].filter(([k]) => k !== 'sops').map(([k, v]) => [String(k), v]));

  const field = (name: string): string | undefined => {
    const value = sops.get(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new PorticoError(`sops.${name} must be a string.`);
    return value;
  };
  if (sops.get('mac_only_encrypted') === true) {
    throw new PorticoError('This SOPS document uses mac_only_encrypted, which Portico does not read.');
  }
  const ageList = sops.get('age');
  const age = (Array.isArray(ageList) ? ageList : []).map((entry: unknown, i) => {
    if (!(entry instanceof Map) || typeof entry.get('recipient') !== 'string' || typeof entry.get('enc') !== 'string') {
      throw new PorticoError(`sops.age[${i}] must have a recipient and an enc field.`);
    }
    return { recipient: entry.get('recipient') as string, enc: entry.get('enc') as string };
  });
  if (age.length === 0) throw new PorticoError('The SOPS document has no age recipients (sops.age is empty).');
  const lastModified = field('lastmodified');
  const mac = field('mac');
  if (!lastModified || !mac) throw new PorticoError('The SOPS document lacks sops.lastmodified or sops.mac, so it cannot be verified.');

  const regex = (name: string): RegExp | undefined => {
    const source = field(name);
    if (source === undefined) return undefined;
    try {
      return new RegExp(source);
    } catch {
      throw new PorticoError(`sops.${name} is not a valid regular expression.`);
    }
  };
  const policy: SopsPolicy = {
    encryptedRegex: regex('encrypted_regex'),
    unencryptedRegex: regex('unencrypted_regex'),
    encryptedSuffix: field('encrypted_suffix'),
    unencryptedSuffix: field('unencrypted_suffix'),
  };
  // stores.go ToInternal: with no rule at all, SOPS falls back to the `_unencrypted` suffix.
  if (!policy.encryptedRegex && !policy.unencryptedRegex && !policy.encryptedSuffix && !policy.unencryptedSuffix) {
    policy.unencryptedSuffix = '_unencrypted';
  }
  return { tree, metadata: { age, lastModified: normalizeRfc3339(lastModified), mac, policy } };
}

// ---------------------------------------------------------------------------------------------
// Values: aes/cipher.go.

function decryptValue(value: string, key: Uint8Array, aad: string): { value: unknown; bytes: Buffer } {
  if (value === '') return { value: '', bytes: Buffer.alloc(0) };
  const match = ENC_VALUE.exec(value);
  if (!match) throw new PorticoError(`The value at ${aad} is not in SOPS's ENC[AES256_GCM,...] format.`);
  const [, data, iv, tag, type] = match as unknown as [string, string, string, string, string];
  let bytes: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    bytes = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch {
    throw new PorticoError(`The value at ${aad} does not decrypt with this file's data key: it was changed after encryption, or moved to another key.`);
  }
  const text = bytes.toString('utf8');
  switch (type) {
    case 'str':
    case 'comment':
      return { value: text, bytes };
    case 'int':
    case 'int64':
    case 'float':
      return { value: Number(text), bytes };
    case 'bool': {
      const truth = /^(1|t|true)$/i.test(text);
      return { value: truth, bytes: Buffer.from(truth ? 'True' : 'False') };
    }
    case 'bytes':
      return { value: bytes, bytes };
    default:
      throw new PorticoError(`The value at ${aad} has an unknown SOPS type ${JSON.stringify(type)}.`);
  }
}

/** What Go's `time.Parse` then `Format(time.RFC3339)` makes of a stored lastmodified value. */
function normalizeRfc3339(value: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!match) throw new PorticoError(`sops.lastmodified ${JSON.stringify(value)} is not an RFC 3339 time.`);
  return `${match[1]}${match[2] === '+00:00' || match[2] === '-00:00' ? 'Z' : match[2]}`;
}

function mapToObject(node: unknown): Record<string, unknown> {
  const convert = (value: unknown): unknown => {
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), convert(v)]));
    if (Array.isArray(value)) return value.map(convert);
    return value;
  };
  return convert(node) as Record<string, unknown>;
}
