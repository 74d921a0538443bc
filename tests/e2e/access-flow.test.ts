import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi, until } from '../support/api.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { signUpConfirmed } from '../support/mail.ts';

let portal: RunningPortal;
let gatewayPort: number;
const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(portal.dataDir, 'gitops.git'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

const api = jsonApi(() => portal.base);

beforeAll(async () => {
  // The demo gateway's port, with no HAProxy behind it: nothing listens there.
  portal = await startPortal({ PORTICO_GIT_INTERVAL: '1', PORTICO_HAPROXY_BIN: '/nonexistent/sbin/haproxy' });
  gatewayPort = portal.gatewayPort;
  await signUpConfirmed(api, portal.dataDir, 'dev@example.test', 'a long enough password', '');
}, 180_000);
afterAll(async () => portal?.stop());

describe('self-service access, provisioned through Git', () => {
  let appId: string;
  let key: string;
  let keyId: string;

  it('lists the offers a consumer may subscribe to, with limits in words', async () => {
    const { body } = await api('GET', '/catalog');
    const starter = body.offers.find((o: { offer: string }) => o.offer === 'logistics/public-starter');
    expect(starter).toMatchObject({ approval: 'instant', plan: { key: 'logistics/starter', limits: '10 requests per second, 1,000 requests per day' } });
    expect(body.offers.map((o: { offer: string }) => o.offer)).not.toContain('logistics/partners'); // partners only
  });

  it('creates an application, subscribes it and creates a key, shown once', async () => {
    const created = await api('POST', '/applications', { name: 'Tracking widget' });
    expect(created.status).toBe(201);
    appId = created.body.application.id;
    expect((await api('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/public-starter' })).status).toBe(201);
    const k = await api('POST', `/applications/${appId}/keys`, { title: 'production' });
    expect(k.status).toBe(201);
    ({ key, keyId } = k.body);
    expect(key).toMatch(/^ptc_live_[0-9A-Za-z]{38}$/);
    expect(JSON.stringify((await api('GET', `/applications/${appId}`)).body)).not.toContain(key);
  });

  it('commits the grant to the local repository and marks it active once it is on the branch', async () => {
    const app = await until('the key to become active', async () => {
      const { body } = await api('GET', `/applications/${appId}`);
      return body.application.keys[0].status === 'active' && body.application.subscriptions[0].status === 'active' ? body.application : undefined;
    });
    expect(app.keys[0].commit).toMatch(/^[0-9a-f]{40}$/);
    const sha = createHash('sha256').update(key).digest('hex');
    expect(git('show', 'main:consumers/haproxy/keys.map')).toContain(`${sha} ${appId}`);
    const trailers = git('log', '--format=%(trailers)', 'main');
    expect(trailers).toContain('Portico-Request: req-');
    // The Secret for Traefik Hub is SOPS-encrypted for the demo's own age identity, and decrypts with the age CLI.
    const secret = git('show', `main:consumers/traefik-hub/logistics/${appId}/secret-${keyId}.yaml`);
    expect(secret).toContain('ENC[AES256_GCM,data:');
    const enc = /enc: \|\n((?: {12}.*\n)+)/.exec(secret)?.[1]?.replace(/^ {12}/gm, '') ?? '';
    writeFileSync(path.join(portal.dataDir, 'enc.age'), enc);
    const dataKey = execFileSync('age', ['--decrypt', '-i', path.join(portal.dataDir, 'age/identity.txt'), path.join(portal.dataDir, 'enc.age')]);
    expect(dataKey.length).toBeGreaterThan(0);
  });

  it('never puts the plaintext key in Git, the logs or the data directory files', () => {
    expect(git('log', '-p', '--all')).not.toContain(key);
    expect(portal.output()).not.toContain(key);
    expect(readFileSync(path.join(portal.dataDir, 'age/identity.txt'), 'utf8')).not.toContain(key);
  });

  it('revokes a key: it leaves the committed map at the next pass', async () => {
    const sha = createHash('sha256').update(key).digest('hex');
    const res = await fetch(`${portal.base}/api/v1/applications/${appId}/keys/${keyId}`, { method: 'DELETE', headers: { origin: portal.base, cookie: api.cookie() } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'revoking', requestId: expect.stringMatching(/^req-/) });
    await until('the key to be revoked', async () => ((await api('GET', `/applications/${appId}`)).body.application.keys[0].status === 'revoked' ? true : undefined));
    expect(git('show', 'main:consumers/haproxy/keys.map')).not.toContain(sha);
    expect((await api('DELETE', `/applications/${appId}/keys/${keyId}`)).body.detail).toBe(`The key ${keyId} is already revoked.`);
  });

  it('refuses an offer the account cannot see, saying where to look', async () => {
    const res = await api('POST', `/applications/${appId}/subscriptions`, { offer: 'logistics/partners' });
    expect(res).toMatchObject({ status: 404, body: { detail: 'There is no offer "logistics/partners" you can subscribe to. GET /api/v1/catalog lists yours.' } });
  });
});

describe('the try-it relay in the running portal', () => {
  it('refuses a host the specs do not declare, in words', async () => {
    const res = await fetch(`${portal.base}/relay?url=${encodeURIComponent('https://evil.example/x')}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'relay-host-not-declared',
      detail: 'evil.example is not a server any API of this portal declares, so the portal will not call it (https://evil.example/x).',
    });
  });

  it('calls the demo gateway (allow-listed) and says plainly when it is not running', async () => {
    const res = await fetch(`${portal.base}/relay?scalar_url=${encodeURIComponent(`http://localhost:${gatewayPort}/shipments/v2/shipments`)}`);
    // Nothing listens on the gateway's port here: the answer says so, instead of failing obscurely.
    expect(res.status).toBe(502);
    expect((await res.json()).detail).toBe(`localhost:${gatewayPort} refused the connection: is the gateway running?`);
    // The demo content's servers followed the gateway to its port: the usual address is no longer one.
    const usual = await fetch(`${portal.base}/relay?url=${encodeURIComponent('http://localhost:8080/shipments/v2/shipments')}`);
    expect(usual.status).toBe(403);
    expect(await usual.json()).toMatchObject({ code: 'relay-host-not-declared' });
  });
});
