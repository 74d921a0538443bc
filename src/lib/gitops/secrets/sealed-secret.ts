/**
 * Bitnami SealedSecrets, sealed the way `kubeseal` seals them, so the sealed-secrets controller
 * that Argo CD users run can unseal what Portico commits. Byte layout from bitnami-labs/sealed-secrets
 * `pkg/crypto/crypto.go` (HybridEncrypt) and the scope labels from
 * `pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go` (EncryptionLabel).
 */
import { X509Certificate, constants, createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { PorticoError } from '../../errors.ts';
import { assertPlainSecret, sortedEntries, yamlString, type PlainSecret } from './secret.ts';

/** How far a sealed value may travel: kubeseal's `--scope` values. */
export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

const SCOPE_ANNOTATION: Record<SealingScope, string | undefined> = {
  strict: undefined,
  'namespace-wide': 'sealedsecrets.bitnami.com/namespace-wide',
  'cluster-wide': 'sealedsecrets.bitnami.com/cluster-wide',
};

const SESSION_KEY_BYTES = 32;
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;
// The controller makes 4096-bit keys; below 2048 bits RSA no longer protects a long-lived secret.
const MIN_RSA_BITS = 2048;

/** The RSA-OAEP label that binds a sealed value to where it may be unsealed (EncryptionLabel). */
export function sealingLabel(namespace: string, name: string, scope: SealingScope = 'strict'): string {
  switch (scope) {
    case 'cluster-wide':
      return '';
    case 'namespace-wide':
      return namespace;
    case 'strict':
      return `${namespace}/${name}`;
    default:
      throw new PorticoError(`Unknown sealing scope ${JSON.stringify(scope)}: use strict, namespace-wide or cluster-wide.`);
  }
}

/**
 * Seals a Secret into a SealedSecret manifest (YAML). Accepts the controller's certificate
 * (`kubeseal --fetch-cert`) or a bare RSA public key, both PEM. Ciphertext is random on each call;
 * key order and layout are fixed.
 */
export function sealSecret(secret: PlainSecret, certificatePem: string, scope: SealingScope = 'strict'): string {
  assertPlainSecret(secret);
  const publicKey = sealingKeyFrom(certificatePem);
  const label = sealingLabel(secret.namespace, secret.name, scope);
  const annotation = SCOPE_ANNOTATION[scope];
  const labels = sortedEntries(secret.labels);

  const metadata = (indent: string): string[] => {
    const lines: string[] = [];
    if (annotation) lines.push(`${indent}annotations:`, `${indent}  ${annotation}: "true"`);
    if (labels.length > 0) {
      lines.push(`${indent}labels:`);
      for (const [key, value] of labels) lines.push(`${indent}  ${yamlString(key)}: ${yamlString(value)}`);
    }
    lines.push(`${indent}name: ${yamlString(secret.name)}`, `${indent}namespace: ${yamlString(secret.namespace)}`);
    return lines;
  };

  const lines = ['apiVersion: bitnami.com/v1alpha1', 'kind: SealedSecret', 'metadata:', ...metadata('  '), 'spec:', '  encryptedData:'];
  for (const [key, value] of sortedEntries(secret.stringData)) {
    lines.push(`    ${yamlString(key)}: ${sealValue(value, publicKey, label)}`);
  }
  lines.push('  template:', '    metadata:', ...metadata('      '), '    type: Opaque');
  return `${lines.join('\n')}\n`;
}

/**
 * Seals one value (HybridEncrypt): a fresh AES-256-GCM session key, wrapped with RSA-OAEP SHA-256
 * under `label`; output is `uint16 BE length of the RSA ciphertext || RSA ciphertext || AES-GCM
 * ciphertext+tag`, base64.
 */
export function sealValue(plaintext: string | Uint8Array, publicKey: KeyObject | string, label: string): string {
  const key = typeof publicKey === 'string' ? sealingKeyFrom(publicKey) : publicKey;
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') }, sessionKey);
  // A session key is used for exactly one value, so the all-zero nonce never repeats under one key.
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES), { authTagLength: GCM_TAG_BYTES });
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final(), cipher.getAuthTag()]);
  sessionKey.fill(0);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([length, wrapped, body]).toString('base64');
}

/** Unseals one value with the controller's private key (HybridDecrypt); for tests and recovery tooling. */
export function unsealValue(ciphertextB64: string, privateKeyPem: string | KeyObject, label: string): string {
  const data = Buffer.from(ciphertextB64, 'base64');
  if (data.length < 2) throw new PorticoError('The sealed value is too short to be a SealedSecret value.');
  const rsaLength = data.readUInt16BE(0);
  if (data.length < 2 + rsaLength + GCM_TAG_BYTES) throw new PorticoError('The sealed value is too short to be a SealedSecret value.');
  let privateKey: KeyObject;
  try {
    privateKey = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  } catch {
    throw new PorticoError('The private key is not a PEM RSA private key.');
  }
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') }, data.subarray(2, 2 + rsaLength));
  } catch {
    throw new PorticoError(`The sealed value does not unseal with this key under the label ${JSON.stringify(label)}: it was sealed for another key, namespace or name.`);
  }
  const body = data.subarray(2 + rsaLength);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES), { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(body.subarray(body.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new PorticoError('The sealed value was changed after sealing: its AES-GCM tag does not match.');
  } finally {
    sessionKey.fill(0);
  }
}

/** The RSA public key in a sealing certificate or public key PEM, with a plain message when it is neither. */
export function sealingKeyFrom(pem: string): KeyObject {
  const hint = 'Fetch the certificate with `kubeseal --fetch-cert` and pass the whole PEM text.';
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN ')) {
    throw new PorticoError('The sealing certificate is not PEM text (no "-----BEGIN" line).', hint);
  }
  let key: KeyObject;
  if (pem.includes('-----BEGIN CERTIFICATE-----')) {
    try {
      const certificate = new X509Certificate(pem);
      key = certificate.publicKey;
    } catch (err) {
      throw new PorticoError(`The sealing certificate could not be read: ${(err as Error).message}.`, hint);
    }
  } else if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) {
    try {
      key = createPublicKey(pem);
    } catch (err) {
      throw new PorticoError(`The sealing public key could not be read: ${(err as Error).message}.`, hint);
    }
  } else {
    throw new PorticoError('The sealing certificate is neither a certificate nor a public key (a private key must never be given here).', hint);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PorticoError(`The sealing key is ${key.asymmetricKeyType ?? 'not RSA'}; SealedSecrets use RSA keys.`, hint);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new PorticoError(`The sealing key has ${bits} bits; at least ${MIN_RSA_BITS} are needed.`, hint);
  return key;
}
