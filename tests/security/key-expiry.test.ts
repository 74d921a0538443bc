import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient, until } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';
import { committedKeysMap } from '../support/git-history.ts';

/*
 * An expired key must stop working at the gateway when it expires, not at the next sweep
 * (issue 14: about 25 s were seen). The portal here passes over Git only every ten minutes, so the
 * key can leave the gateway's files in time only if the sweep runs at the expiry itself.
 */

let portal: RunningPortal;

beforeAll(async () => {
  portal = await startPortal({ PORTICO_GIT_INTERVAL: '600' });
}, 180_000);
afterAll(async () => portal?.stop());

/** The key hashes in the HAProxy map committed on the target branch. */
const committedHashes = () => committedKeysMap(path.join(portal.dataDir, 'gitops.git')).map(([hash]) => hash);

describe('a key with an expiry', () => {
  it('leaves the gateway policy in Git at its expiry, long before the next regular pass', async () => {
    const consumer = portalClient(portal.base);
    await signUpConfirmed(consumer.call, portal.dataDir, 'brief@example.test', 'a long enough password');
    const app = await consumer.call('POST', '/api/v1/applications', { name: 'Short-lived' });
    const expiresAt = new Date(Date.now() + 30_000);
    const created = await consumer.call('POST', `/api/v1/applications/${app.body.application.id}/keys`, { title: 'thirty seconds', expiresAt: expiresAt.toISOString() });
    expect(created.status).toBe(201);
    const sha = createHash('sha256').update(created.body.key).digest('hex');
    await until('the key to be committed', () => (committedHashes().includes(sha) ? true : undefined), 60);
    await until('the expired key to leave the committed map', () => (committedHashes().includes(sha) ? undefined : true), 120);
    // Not before its time: whatever the machine's speed, the removal came after the expiry.
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    const keys = (await consumer.call('GET', `/api/v1/applications/${app.body.application.id}`)).body;
    expect(JSON.stringify(keys)).toMatch(/expired at/);
  });
});
