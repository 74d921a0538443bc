import { createDecipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOPS_ENCRYPTED_REGEX, encryptSecretWithSops } from '../../src/lib/gitops/secrets/sops-age.ts';
import { decryptSopsDataKey, decryptSopsDocument, verifySopsMac } from '../support/sops-reader.ts';
import type { PlainSecret } from '../../src/lib/gitops/secrets/secret.ts';
import { generateApiKey } from '../../src/lib/keys/format.ts';

// A real age identity from the Debian `age` package: the same tool a platform team uses, and the
// same X25519 format Flux's kustomize-controller reads from its decryption Secret.
let dir: string;
let keyFile: string;
let identity: string;
let recipient: string;
let other: { keyFile: string; identity: string; recipient: string };

function ageKeygen(file: string): { keyFile: string; identity: string; recipient: string } {
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  return {
    keyFile: file,
    identity: /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(text)![0],
    recipient: /^# public key: (age1[0-9a-z]+)$/m.exec(text)![1]!,
  };
}

/** Decrypts the data key with the `age` CLI, not with our code. */
function dataKeyFromAgeCli(enc: string, file = keyFile): Buffer {
  const encFile = path.join(dir, `enc-${Math.random().toString(36).slice(2)}.age`);
  writeFileSync(encFile, enc);
  return execFileSync('age', ['--decrypt', '-i', file, encFile], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An independent reading of aes/cipher.go, so our decrypt is not the only judge of our encrypt. */
function openValue(value: string, key: Buffer, aad: string): string {
  const m = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:str\]$/.exec(value);
  if (!m) throw new Error(`not a SOPS value: ${value}`);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2]!, 'base64'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(m[3]!, 'base64'));
  return Buffer.concat([d.update(Buffer.from(m[1]!, 'base64')), d.final()]).toString('utf8');
}

// Generated at run time: no key-shaped string is ever committed.
const apiKey = generateApiKey('ptc').key;
const secret: PlainSecret = {
  name: 'app-42-keys',
  namespace: 'apps',
  labels: { 'portico.dev/application': 'app-42', 'app.kubernetes.io/managed-by': 'portico' },
  stringData: { 'key-k7Hq2mPx': apiKey, 'key-a1b2c3d4': 'ptc_test_second' },
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-sops-'));
  ({ keyFile, identity, recipient } = ageKeygen(path.join(dir, 'key.txt')));
  other = ageKeygen(path.join(dir, 'other.txt'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Secret encrypted with SOPS and age', () => {
  it('wraps one data key for the age CLI, and every value opens with it under its path', async () => {
    const text = await encryptSecretWithSops(secret, [recipient]);
    const doc = parse(text);

    const dataKey = dataKeyFromAgeCli(doc.sops.age[0].enc);
    expect(doc.sops.age[0].recipient).toBe(recipient);
    expect(dataKey).toHaveLength(32);

    for (const [key, plain] of Object.entries(secret.stringData)) {
      expect(doc.stringData[key]).toMatch(/^ENC\[AES256_GCM,data:.+,iv:.+,tag:.+,type:str\]$/);
      expect(openValue(doc.stringData[key], dataKey, `stringData:${key}:`)).toBe(plain);
    }
  });

  it('carries the MAC SOPS computes: SHA-512 of every value in tree order, encrypted with lastmodified as AAD', async () => {
    const text = await encryptSecretWithSops(secret, [recipient]);
    const doc = parse(text);
    const dataKey = dataKeyFromAgeCli(doc.sops.age[0].enc);

    // Written out by hand from sops.go Tree.Encrypt: unencrypted metadata counts too.
    const leaves = ['v1', 'Secret', 'app-42-keys', 'apps', 'portico', 'app-42', 'Opaque', 'ptc_test_second', apiKey];
    const expected = createHash('sha512').update(leaves.join('')).digest('hex').toUpperCase();
    expect(openValue(doc.sops.mac, dataKey, doc.sops.lastmodified)).toBe(expected);

    expect(() => verifySopsMac(text, dataKey)).not.toThrow();
  });

  it('decrypts back to the Secret Flux will apply', async () => {
    const text = await encryptSecretWithSops(secret, [recipient]);
    const { document } = await decryptSopsDocument(text, identity);
    expect(document).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-42-keys', namespace: 'apps', labels: secret.labels },
      type: 'Opaque',
      stringData: secret.stringData,
    });
  });

  it('wraps the same data key for every recipient, each readable only with its own identity', async () => {
    const text = await encryptSecretWithSops(secret, [recipient, other.recipient]);
    const doc = parse(text);
    expect(doc.sops.age.map((a: { recipient: string }) => a.recipient)).toEqual([recipient, other.recipient]);
    const first = dataKeyFromAgeCli(doc.sops.age[0].enc);
    const second = dataKeyFromAgeCli(doc.sops.age[1].enc, other.keyFile);
    expect(second.equals(first)).toBe(true);
    expect(() => dataKeyFromAgeCli(doc.sops.age[0].enc, other.keyFile)).toThrow();
    expect(Buffer.from(await decryptSopsDataKey(text, other.identity)).equals(first)).toBe(true);
  });

  it('uses a fresh data key on every call', async () => {
    const a = parse(await encryptSecretWithSops(secret, [recipient]));
    const b = parse(await encryptSecretWithSops(secret, [recipient]));
    expect(dataKeyFromAgeCli(a.sops.age[0].enc).equals(dataKeyFromAgeCli(b.sops.age[0].enc))).toBe(false);
  });

  it('keeps metadata readable and writes the layout SOPS writes, in a fixed order', async () => {
    const now = new Date('2025-03-01T12:34:56.789Z');
    const text = await encryptSecretWithSops(secret, [recipient], { now });
    const skeleton = text.replace(/ENC\[AES256_GCM,[^\]]+\]/g, 'ENC[...]').replace(/-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*?-----END AGE ENCRYPTED FILE-----/g, 'AGE');
    expect(skeleton).toBe(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '    name: app-42-keys',
        '    namespace: apps',
        '    labels:',
        '        app.kubernetes.io/managed-by: portico',
        '        portico.dev/application: app-42',
        'type: Opaque',
        'stringData:',
        '    key-a1b2c3d4: ENC[...]',
        '    key-k7Hq2mPx: ENC[...]',
        'sops:',
        '    kms: []',
        '    gcp_kms: []',
        '    azure_kv: []',
        '    hc_vault: []',
        '    age:',
        `        - recipient: ${recipient}`,
        '          enc: |',
        '            AGE',
        '    lastmodified: "2025-03-01T12:34:56Z"',
        '    mac: ENC[...]',
        '    pgp: []',
        '    encrypted_regex: ^(data|stringData)$',
        '    version: 3.9.4',
        '',
      ].join('\n'),
    );
    expect(parse(text).sops.encrypted_regex).toBe(SOPS_ENCRYPTED_REGEX);
  });

  it('keeps keys and values that look like numbers or YAML 1.1 booleans as strings, so Go reads the same MAC', async () => {
    const odd: PlainSecret = {
      name: 'odd',
      namespace: 'y',
      labels: { on: 'true', version: '1.0', n: '0x1F' },
      stringData: { '123': 'a', true: 'b', '.empty': '', multi: 'line1\nline2: "q"' },
    };
    const text = await encryptSecretWithSops(odd, [recipient]);
    expect(text).toContain('    namespace: "y"\n');
    expect(text).toContain('    ".empty": ""\n'); // SOPS leaves empty values unencrypted
    const { document } = await decryptSopsDocument(text, identity);
    expect(document).toMatchObject({ metadata: { namespace: 'y', labels: odd.labels }, stringData: odd.stringData });
  });

  it('never contains the plaintext key or the data key', async () => {
    const text = await encryptSecretWithSops(secret, [recipient]);
    const dataKey = dataKeyFromAgeCli(parse(text).sops.age[0].enc);
    for (const needle of [
      apiKey,
      apiKey.slice(10, 42), // the random part alone
      Buffer.from(apiKey).toString('base64'),
      'ptc_test_second',
      dataKey.toString('base64'),
      dataKey.toString('hex'),
      dataKey.toString('hex').toUpperCase(),
    ]) {
      expect(text).not.toContain(needle);
    }
  });
});

// Written by real SOPS 3.9.0 for Flux's own tests (fluxcd/kustomize-controller,
// internal/controller/testdata/sops/algorithms/age.yaml), with the throwaway identity Flux publishes
// beside it (internal/decryptor/testdata/age.txt). Reading it proves our MAC and AAD rules are SOPS's.
const fluxTestIdentity = 'AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM';
const writtenBySops = `apiVersion: v1
kind: Secret
metadata:
  name: age
stringData:
  key: ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]
sops:
  kms: []
  gcp_kms: []
  azure_kv: []
  hc_vault: []
  age:
    - recipient: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBZeHVSdjJoY3ZSQjJzbk1q
        ZXFxMWJ5amkrN1VXeHI4QzQ5OHcwVGxDem1zCm8wQVEzNEUrOUhtRUFkVnFUY0tN
        aFgwaHNrWmVWY1RGWXI2YlpYbUhYMGMKLS0tIDBFSXo3cjRCMngvTXpldzhMRlVp
        TXk2d2ExSVZYNDVTV0xwVlZnQnpScG8KVpjffjtRTA7Z4Wf/l1VMLjcl16hOrRUv
        LKiZDcq+nqKDUI7owZ+xNs2w5SrQjEWVhDXRSeSSRiJrK/bCYKzRxA==
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2024-11-12T13:33:42Z"
  mac: ENC[AES256_GCM,data:vmrF+VgW3o8z4h/DOStCUNudz68yHEC8Mws+LPoKpM3Xc7GM0Z1CfX0TKwdLLjMuvyWa2Nx2NIxm0+MCbmR8+y2izn0hHPSWhNVCWSK+iW48M05vXhDCV0xNkqM7g0kLhQ3PiSrB69loQj8C590HIfEViEtyDCFUeynDgcC289Q=,iv:u5lhmtXMxyt+3Pw09wWvgBhmKLoOSpKNWUpu/LuCr3Y=,tag:Dg0HFdLgQltzPgnEmltAzQ==,type:str]
  pgp: []
  encrypted_regex: ^(data|stringData)$
  version: 3.9.0
`;

describe('a file written by SOPS itself', () => {
  it('decrypts and passes our MAC check', async () => {
    const { document, dataKey } = await decryptSopsDocument(writtenBySops, fluxTestIdentity);
    expect(document).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'age' }, stringData: { key: 'value' } });
    expect(() => verifySopsMac(writtenBySops, dataKey)).not.toThrow();
  });

  it('fails our MAC check once edited', async () => {
    const { dataKey } = await decryptSopsDocument(writtenBySops, fluxTestIdentity);
    expect(() => verifySopsMac(writtenBySops.replace('name: age', 'name: agf'), dataKey)).toThrow(/SOPS MAC mismatch/);
  });
});

describe('a tampered SOPS file fails the MAC check', () => {
  async function encrypted(): Promise<{ text: string; dataKey: Buffer }> {
    const text = await encryptSecretWithSops(secret, [recipient]);
    return { text, dataKey: dataKeyFromAgeCli(parse(text).sops.age[0].enc) };
  }

  it('when an encrypted value is changed', async () => {
    const { text, dataKey } = await encrypted();
    const tampered = text.replace(/(key-k7Hq2mPx: ENC\[AES256_GCM,data:)(.)/, (_, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    expect(tampered).not.toBe(text);
    expect(() => verifySopsMac(tampered, dataKey)).toThrow(/stringData:key-k7Hq2mPx: does not decrypt with this file's data key/);
  });

  it('when two encrypted values swap places', async () => {
    const { text, dataKey } = await encrypted();
    const a = /key-a1b2c3d4: (ENC\[[^\]]+\])/.exec(text)![1]!;
    const b = /key-k7Hq2mPx: (ENC\[[^\]]+\])/.exec(text)![1]!;
    const swapped = text.replace(a, 'A_SLOT').replace(b, a).replace('A_SLOT', b);
    expect(() => verifySopsMac(swapped, dataKey)).toThrow(/does not decrypt with this file's data key/);
  });

  it('when a readable field is edited', async () => {
    const { text, dataKey } = await encrypted();
    expect(() => verifySopsMac(text.replace('namespace: apps', 'namespace: other'), dataKey)).toThrow(/SOPS MAC mismatch/);
  });

  it('when an entry is removed', async () => {
    const { text, dataKey } = await encrypted();
    const removed = text.replace(/ {4}key-a1b2c3d4: ENC\[[^\]]+\]\n/, '');
    expect(() => verifySopsMac(removed, dataKey)).toThrow(/SOPS MAC mismatch/);
  });

  it('when the MAC itself is changed', async () => {
    const { text, dataKey } = await encrypted();
    const tampered = text.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    expect(() => verifySopsMac(tampered, dataKey)).toThrow(/MAC does not decrypt/);
  });

  it('when lastmodified is changed', async () => {
    const { text, dataKey } = await encrypted();
    const tampered = text.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2001-01-01T00:00:00Z"');
    expect(() => verifySopsMac(tampered, dataKey)).toThrow(/MAC does not decrypt/);
  });

  it('and decryptSopsDocument refuses it too', async () => {
    const { text } = await encrypted();
    await expect(decryptSopsDocument(text.replace('name: app-42-keys', 'name: app-43-keys'), identity)).rejects.toThrow(/SOPS MAC mismatch/);
  });
});

describe('bad input is refused in plain words', () => {
  it('a value that is not an age recipient', async () => {
    await expect(encryptSecretWithSops(secret, ['ssh-ed25519 AAAAC3Nza'])).rejects.toThrow(/is not an age X25519 public key/);
  });

  it('an age recipient with a typo', async () => {
    const typo = recipient.slice(0, 20) + (recipient[20] === 'q' ? 'p' : 'q') + recipient.slice(21);
    await expect(encryptSecretWithSops(secret, [typo])).rejects.toThrow(/bad checksum/);
  });

  it('no recipient at all', async () => {
    await expect(encryptSecretWithSops(secret, [])).rejects.toThrow(/at least one age recipient/);
  });

  it('a Secret name Kubernetes would reject', async () => {
    await expect(encryptSecretWithSops({ ...secret, name: 'App_Keys' }, [recipient])).rejects.toThrow(/name must be a DNS subdomain/);
  });

  it('an identity the file was not encrypted for', async () => {
    const text = await encryptSecretWithSops(secret, [recipient]);
    await expect(decryptSopsDataKey(text, other.identity)).rejects.toThrow(/None of the age recipients/);
  });

  it('a document that is not SOPS-encrypted', async () => {
    await expect(decryptSopsDocument('apiVersion: v1\nkind: Secret\n', identity)).rejects.toThrow(/not SOPS-encrypted/);
  });
});
