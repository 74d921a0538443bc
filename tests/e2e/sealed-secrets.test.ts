import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealingLabel, unsealValue } from '../../src/lib/gitops/secrets/sealed-secret.ts';
import { jsonApi } from '../support/api.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

// A deployment that commits Bitnami SealedSecrets: the portal gets the controller's certificate,
// the test plays the controller with the private key.
let portal: RunningPortal;
let dir: string;
let privateKeyPem: string;

const api = jsonApi(() => portal.base);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-sealing-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path.join(dir, 'tls.key'), privateKeyPem);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'tls.key'), '-subj', '/O=sealed-secret/CN=sealed-secret', '-days', '1', '-out', path.join(dir, 'cert.pem')], {
    stdio: 'pipe',
  });
  portal = await startPortal({ PORTICO_GIT_INTERVAL: '1', PORTICO_SECRET_FORMAT: 'sealed-secret', PORTICO_SEALING_CERT: path.join(dir, 'cert.pem') });
  await signUpConfirmed(api, portal.dataDir, 'sealed@example.test', 'a long enough password', '');
}, 180_000);
afterAll(async () => {
  await portal?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('keys committed as SealedSecrets', () => {
  it("commits a SealedSecret that the controller's private key unseals to the key, and nothing in plaintext", async () => {
    const appId = (await api('POST', '/applications', { name: 'Sealed app' })).body.application.id;
    const { key, keyId } = (await api('POST', `/applications/${appId}/keys`, { title: 'production' })).body;
    const file = `main:consumers/traefik-hub/logistics/${appId}/secret-${keyId}.yaml`;
    const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const deadline = Date.now() + 40_000;
    let text = '';
    while (Date.now() < deadline && !text) {
      try {
        text = git('show', file);
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const doc = parse(text);
    const name = `${appId}-key-${keyId.toLowerCase()}`;
    expect(doc).toMatchObject({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name, namespace: 'logistics' } });
    expect(unsealValue(doc.spec.encryptedData.token, privateKeyPem, sealingLabel('logistics', name))).toBe(key);
    expect(git('log', '-p', '--all')).not.toContain(key);
    // No demo age identity is made when the deployment seals instead.
    expect(portal.output()).not.toContain('made an age identity');
  });
});
