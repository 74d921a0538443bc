/**
 * SOPS-encrypted Kubernetes Secrets with age recipients: the files Flux's kustomize-controller
 * decrypts natively (`spec.decryption.provider: sops`). The byte layout follows getsops/sops:
 * `aes/cipher.go` (values), `sops.go` `Tree.Encrypt` (which leaves, which AAD, the MAC),
 * `cmd/sops/common/common.go` (the MAC is encrypted with `lastmodified` as AAD) and
 * `stores/stores.go` (the metadata block). See docs/decisions/0006-secret-encryption.md. The reader
 * (decryption, MAC check) is tests/support/sops-reader.ts: the portal never reads a key back.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Encrypter, armor } from 'age-encryption';
import { PorticoError } from '../../errors.ts';
import { aadOf, DATA_KEY_BYTES, leafToBytes, shouldBeEncrypted, type SopsPolicy, TAG_BYTES, type Tree, walk } from './sops-tree.ts';
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

// SOPS draws a 32-byte GCM nonce (aes/cipher.go `nonceSize`), not the usual 12.
const NONCE_BYTES = 32;
// age X25519 recipients are Bech32 with the `age` prefix and 32 bytes: always 62 characters.
// Hybrid post-quantum and tag recipients also start with `age1`, but Flux's SOPS cannot use them.
const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

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

function encryptValue(plaintext: string, key: Uint8Array, aad: string): string {
  if (plaintext === '') return ''; // SOPS leaves empty values as they are
  const iv = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${tag.toString('base64')},type:str]`;
}

/** Go's `time.RFC3339` layout: whole seconds, `Z` for UTC. It is both the stored field and the MAC's AAD. */
function formatRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
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
