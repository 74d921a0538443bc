/**
 * SOPS-encrypted Kubernetes Secrets with age recipients: the files Flux's kustomize-controller
 * decrypts natively (`spec.decryption.provider: sops`). The byte layout follows getsops/sops:
 * `aes/cipher.go` (values), `sops.go` `Tree.Encrypt` (which leaves, which AAD, the MAC),
 * `cmd/sops/common/common.go` (the MAC is encrypted with `lastmodified` as AAD) and
 * `stores/stores.go` (the metadata block). See docs/decisions/0006-secret-encryption.md.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Decrypter, Encrypter, armor } from 'age-encryption';
import { parseDocument } from 'yaml';
import { PorticoError } from '../../errors.ts';
import { assertPlainSecret, sortedEntries, yamlString, type PlainSecret } from './secret.ts';

/** The rule Flux's docs recommend for Secrets: only `data` and `stringData` are encrypted, so metadata stays reviewable. */
export const SOPS_ENCRYPTED_REGEX = '^(data|stringData)$';

/** The SOPS release whose file layout we write (3.9: the first with `mac_only_encrypted`, which we leave off). */
export const SOPS_VERSION = '3.9.4';

/** Options for {@link encryptSecretWithSops}. */
export interface SopsEncryptOptions {
  /** The moment written as `lastmodified` (it is also the MAC's AAD); defaults to now. */
  now?: Date;
}

/** A decrypted SOPS document: the tree without its `sops` block, plus the data key that opened it. */
export interface SopsOpened {
  document: Record<string, unknown>;
  dataKey: Uint8Array;
}

// SOPS draws a 32-byte GCM nonce (aes/cipher.go `nonceSize`), not the usual 12.
const NONCE_BYTES = 32;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const ENC_VALUE = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/;
// age X25519 recipients are Bech32 with the `age` prefix and 32 bytes: always 62 characters.
// Hybrid post-quantum and tag recipients also start with `age1`, but Flux's SOPS cannot use them.
const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

type Tree = Map<string, unknown>;

/**
 * Encrypts a Secret as a SOPS YAML document for Flux: `stringData` values as `ENC[AES256_GCM,...]`,
 * one fresh data key wrapped for every age recipient, and a MAC over all values. Ciphertext is
 * random on each call; key order and layout are fixed.
 */
export async function encryptSecretWithSops(secret: PlainSecret, recipients: string[], options: SopsEncryptOptions = {}): Promise<string> {
  assertPlainSecret(secret);
  const encrypters = recipients.map(encrypterFor);
  if (encrypters.length === 0) {
    throw new PorticoError('SOPS needs at least one age recipient to encrypt for.', "Set the deployment's age recipient (age1...).");
  }

  const dataKey = randomBytes(DATA_KEY_BYTES);
  const policy: SopsPolicy = { encryptedRegex: new RegExp(SOPS_ENCRYPTED_REGEX) };
  const { tree, macHex } = encryptTree(secretToTree(secret), dataKey, policy);
  const lastModified = formatRfc3339(options.now ?? new Date());
  const mac = encryptValue(macHex, dataKey, lastModified);

  const ageEntries: string[] = [];
  for (const [i, encrypter] of encrypters.entries()) {
    const armored = armor.encode(await encrypter.encrypt(dataKey));
    ageEntries.push(`        - recipient: ${recipients[i]}`, '          enc: |');
    for (const line of armored.trimEnd().split('\n')) ageEntries.push(`            ${line}`);
  }
  dataKey.fill(0);

  const lines: string[] = [];
  emitMap(tree, 0, lines);
  lines.push(
    'sops:',
    '    kms: []',
    '    gcp_kms: []',
    '    azure_kv: []',
    '    hc_vault: []',
    '    age:',
    ...ageEntries,
    `    lastmodified: ${JSON.stringify(lastModified)}`,
    `    mac: ${mac}`,
    '    pgp: []',
    `    encrypted_regex: ${SOPS_ENCRYPTED_REGEX}`,
    `    version: ${SOPS_VERSION}`,
  );
  return `${lines.join('\n')}\n`;
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

/** Decrypts a SOPS document with an age identity after checking its MAC; the reconciler's and the tests' reader. */
export async function decryptSopsDocument(text: string, identity: string): Promise<SopsOpened> {
  const dataKey = await decryptSopsDataKey(text, identity);
  return { document: mapToObject(openDocument(text, dataKey)), dataKey };
}

// ---------------------------------------------------------------------------------------------
// The tree walk shared by encryption and verification, so both hash exactly the same leaves.

interface SopsPolicy {
  encryptedRegex?: RegExp;
  unencryptedRegex?: RegExp;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
}

interface SopsMetadata {
  age: Array<{ recipient: string; enc: string }>;
  lastModified: string;
  mac: string;
  policy: SopsPolicy;
}

function encrypterFor(recipient: string, index: number): Encrypter {
  const label = `age recipient #${index + 1} (${JSON.stringify(String(recipient).slice(0, 80))})`;
  if (typeof recipient !== 'string' || !X25519_RECIPIENT.test(recipient)) {
    throw new PorticoError(
      `${label} is not an age X25519 public key: those start with "age1" and are 62 characters of lower-case Bech32.`,
      'Use the "Public key" line that age-keygen prints; post-quantum (age1pq1...) and plugin recipients cannot be decrypted by Flux.',
    );
  }
  const encrypter = new Encrypter();
  try {
    encrypter.addRecipient(recipient);
  } catch {
    throw new PorticoError(`${label} has a bad checksum: it was probably mistyped or cut short.`);
  }
  return encrypter;
}

function secretToTree(secret: PlainSecret): Tree {
  const metadata: Tree = new Map<string, unknown>([
    ['name', secret.name],
    ['namespace', secret.namespace],
  ]);
  const labels = sortedEntries(secret.labels);
  if (labels.length > 0) metadata.set('labels', new Map(labels));
  return new Map<string, unknown>([
    ['apiVersion', 'v1'],
    ['kind', 'Secret'],
    ['metadata', metadata],
    ['type', 'Opaque'],
    ['stringData', new Map(sortedEntries(secret.stringData))],
  ]);
}

/** sops.go `Tree.shouldBeEncrypted`: a leaf is encrypted when any key on its path matches the rule. */
function shouldBeEncrypted(path: string[], policy: SopsPolicy): boolean {
  let encrypted = true;
  const { unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex } = policy;
  if (unencryptedSuffix && path.some((p) => p.endsWith(unencryptedSuffix))) encrypted = false;
  if (encryptedSuffix) encrypted = path.some((p) => p.endsWith(encryptedSuffix));
  if (unencryptedRegex && path.some((p) => unencryptedRegex.test(p))) encrypted = false;
  if (encryptedRegex) encrypted = path.some((p) => encryptedRegex.test(p));
  return encrypted;
}

/** Visits leaves in document order; list items keep their parent's path, as in sops.go `walkSlice`. */
function walk(node: unknown, path: string[], onLeaf: (leaf: unknown, path: string[]) => unknown): unknown {
  if (node instanceof Map) {
    const out: Tree = new Map();
    for (const [key, value] of node) out.set(String(key), walk(value, [...path, String(key)], onLeaf));
    return out;
  }
  if (Array.isArray(node)) return node.map((item) => walk(item, path, onLeaf));
  if (node === null || node === undefined) return node; // SOPS neither encrypts nor hashes nulls
  return onLeaf(node, path);
}

function encryptTree(tree: Tree, key: Uint8Array, policy: SopsPolicy): { tree: Tree; macHex: string } {
  const hash = createHash('sha512');
  const out = walk(tree, [], (leaf, path) => {
    const plain = leafToBytes(leaf, path);
    hash.update(plain);
    if (!shouldBeEncrypted(path, policy)) return leaf;
    if (typeof leaf !== 'string') throw new PorticoError(`Only string values can be encrypted (at ${aadOf(path)}).`);
    return encryptValue(leaf, key, aadOf(path));
  }) as Tree;
  return { tree: out, macHex: hash.digest('hex').toUpperCase() };
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

/** The per-value AAD: the path of keys joined with ':' plus a trailing ':' (sops.go `Tree.Encrypt`). */
function aadOf(path: string[]): string {
  return `${path.join(':')}:`;
}

function encryptValue(plaintext: string, key: Uint8Array, aad: string): string {
  if (plaintext === '') return ''; // SOPS leaves empty values as they are
  const iv = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:str]`;
}

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

/** stores.go `ToBytes`: how SOPS feeds a plaintext leaf into the MAC. */
function leafToBytes(leaf: unknown, path: string[]): Buffer {
  if (typeof leaf === 'string') return Buffer.from(leaf, 'utf8');
  if (typeof leaf === 'boolean') return Buffer.from(leaf ? 'True' : 'False');
  if (typeof leaf === 'number' && Number.isFinite(leaf)) return Buffer.from(String(leaf));
  if (typeof leaf === 'bigint') return Buffer.from(leaf.toString());
  if (leaf instanceof Uint8Array) return Buffer.from(leaf);
  throw new PorticoError(`The value at ${aadOf(path)} has a type SOPS cannot hash.`);
}

// ---------------------------------------------------------------------------------------------
// Text.

/** Go's `time.RFC3339` layout: whole seconds, `Z` for UTC. It is both the stored field and the MAC's AAD. */
function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What Go's `time.Parse` then `Format(time.RFC3339)` makes of a stored lastmodified value. */
function normalizeRfc3339(value: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!match) throw new PorticoError(`sops.lastmodified ${JSON.stringify(value)} is not an RFC 3339 time.`);
  return `${match[1]}${match[2] === '+00:00' || match[2] === '-00:00' ? 'Z' : match[2]}`;
}

// SOPS writes YAML with four-space indentation; we do the same so our files diff cleanly against its.
function emitMap(map: Tree, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent);
  for (const [key, value] of map) {
    if (value instanceof Map) {
      lines.push(`${pad}${yamlString(key)}:`);
      emitMap(value as Tree, indent + 4, lines);
    } else {
      lines.push(`${pad}${yamlString(key)}: ${yamlString(String(value))}`);
    }
  }
}

function mapToObject(node: unknown): Record<string, unknown> {
  const convert = (value: unknown): unknown => {
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), convert(v)]));
    if (Array.isArray(value)) return value.map(convert);
    return value;
  };
  return convert(node) as Record<string, unknown>;
}
