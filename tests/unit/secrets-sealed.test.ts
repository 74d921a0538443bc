import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSecret, sealingLabel, unsealValue } from '../../src/lib/gitops/secrets/sealed-secret.ts';
import type { PlainSecret } from '../../src/lib/gitops/secrets/secret.ts';
import { generateApiKey } from '../../src/lib/keys/format.ts';

// A sealing key pair like the controller's, and a self-signed certificate made by openssl, the
// same kind of PEM `kubeseal --fetch-cert` prints.
let dir: string;
let privateKey: KeyObject;
let privateKeyPem: string;
let publicKeyPem: string;
let certificatePem: string;

// Generated at run time: no key-shaped string is ever committed.
const apiKey = generateApiKey('ptc').key;
const secret: PlainSecret = {
  name: 'app-42-keys',
  namespace: 'apps',
  labels: { 'portico.dev/application': 'app-42' },
  stringData: { 'key-k7Hq2mPx': apiKey, 'key-a1b2c3d4': 'ptc_test_second' },
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-sealed-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyFile = path.join(dir, 'tls.key');
  const certFile = path.join(dir, 'tls.crt');
  writeFileSync(keyFile, privateKeyPem);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/O=sealed-secret/CN=sealed-secret', '-days', '1', '-out', certFile], { stdio: 'pipe' });
  certificatePem = readFileSync(certFile, 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Secret sealed for the sealed-secrets controller', () => {
  it('is a SealedSecret whose template recreates the Secret', () => {
    const manifest = parse(sealSecret(secret, certificatePem));
    expect(manifest.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(manifest.kind).toBe('SealedSecret');
    expect(manifest.metadata).toEqual({ name: 'app-42-keys', namespace: 'apps', labels: secret.labels });
    expect(manifest.spec.template).toEqual({
      metadata: { name: 'app-42-keys', namespace: 'apps', labels: secret.labels },
      type: 'Opaque',
    });
    expect(Object.keys(manifest.spec.encryptedData)).toEqual(['key-a1b2c3d4', 'key-k7Hq2mPx']);
  });

  it('unseals every value with the private key under the namespace/name label', () => {
    const { encryptedData } = parse(sealSecret(secret, certificatePem)).spec;
    for (const [key, plain] of Object.entries(secret.stringData)) {
      expect(unsealValue(encryptedData[key], privateKeyPem, 'apps/app-42-keys')).toBe(plain);
    }
  });

  it('lays out bytes as kubeseal does: uint16 length, RSA-OAEP(SHA-256) session key, AES-256-GCM with a zero nonce', () => {
    const sealed = Buffer.from(parse(sealSecret(secret, certificatePem)).spec.encryptedData['key-k7Hq2mPx'], 'base64');
    const rsaLength = sealed.readUInt16BE(0);
    expect(rsaLength).toBe(256); // a 2048-bit modulus
    expect(sealed.length).toBe(2 + rsaLength + Buffer.byteLength(apiKey) + 16);

    // Opened here by hand, following pkg/crypto/crypto.go HybridDecrypt, not with our unsealValue.
    const sessionKey = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from('apps/app-42-keys') },
      sealed.subarray(2, 2 + rsaLength),
    );
    expect(sessionKey).toHaveLength(32);
    const body = sealed.subarray(2 + rsaLength);
    const aes = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
    aes.setAuthTag(body.subarray(body.length - 16));
    expect(Buffer.concat([aes.update(body.subarray(0, body.length - 16)), aes.final()]).toString()).toBe(apiKey);
  });

  it('cannot be unsealed as another Secret or in another namespace', () => {
    const value = parse(sealSecret(secret, certificatePem)).spec.encryptedData['key-k7Hq2mPx'];
    expect(() => unsealValue(value, privateKeyPem, 'apps/other-keys')).toThrow(/sealed for another key, namespace or name/);
    expect(() => unsealValue(value, privateKeyPem, 'other/app-42-keys')).toThrow(/sealed for another key, namespace or name/);
    expect(() => unsealValue(value, privateKeyPem, '')).toThrow(/sealed for another key, namespace or name/);
  });

  it('cannot be unsealed with another key pair', () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const value = parse(sealSecret(secret, certificatePem)).spec.encryptedData['key-k7Hq2mPx'];
    expect(() => unsealValue(value, stranger, 'apps/app-42-keys')).toThrow(/sealed for another key/);
  });

  it('detects a changed ciphertext', () => {
    const value = Buffer.from(parse(sealSecret(secret, certificatePem)).spec.encryptedData['key-k7Hq2mPx'], 'base64');
    value[value.length - 20]! ^= 1;
    expect(() => unsealValue(value.toString('base64'), privateKeyPem, 'apps/app-42-keys')).toThrow(/changed after sealing/);
  });

  it("honours the namespace-wide and cluster-wide scopes with kubeseal's annotations and labels", () => {
    const nsWide = parse(sealSecret(secret, certificatePem, 'namespace-wide'));
    expect(nsWide.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(nsWide.spec.template.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
    expect(unsealValue(nsWide.spec.encryptedData['key-k7Hq2mPx'], privateKeyPem, 'apps')).toBe(apiKey);

    const clusterWide = parse(sealSecret(secret, certificatePem, 'cluster-wide'));
    expect(clusterWide.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
    expect(unsealValue(clusterWide.spec.encryptedData['key-k7Hq2mPx'], privateKeyPem, '')).toBe(apiKey);

    expect([sealingLabel('apps', 'x'), sealingLabel('apps', 'x', 'namespace-wide'), sealingLabel('apps', 'x', 'cluster-wide')]).toEqual(['apps/x', 'apps', '']);
  });

  it('accepts a bare RSA public key as well as a certificate', () => {
    const value = parse(sealSecret(secret, publicKeyPem)).spec.encryptedData['key-a1b2c3d4'];
    expect(unsealValue(value, privateKeyPem, 'apps/app-42-keys')).toBe('ptc_test_second');
  });

  it('never contains a plaintext value', () => {
    const text = sealSecret(secret, certificatePem);
    for (const needle of [apiKey, apiKey.slice(10, 42), Buffer.from(apiKey).toString('base64'), 'ptc_test_second']) {
      expect(text).not.toContain(needle);
    }
  });
});

describe('a bad sealing certificate is refused in plain words', () => {
  it('text that is not PEM', () => {
    expect(() => sealSecret(secret, 'hello')).toThrow(/not PEM text/);
  });

  it('a certificate that is cut short', () => {
    const broken = certificatePem.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END');
    expect(() => sealSecret(secret, broken)).toThrow(/sealing certificate could not be read/);
  });

  it('a key that is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => sealSecret(secret, ec)).toThrow(/SealedSecrets use RSA keys/);
  });

  it('a private key where the certificate belongs', () => {
    expect(() => sealSecret(secret, privateKeyPem)).toThrow(/neither a certificate nor a public key/);
  });

  it('an RSA key too small to trust', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => sealSecret(secret, small)).toThrow(/at least 2048 are needed/);
  });
});
