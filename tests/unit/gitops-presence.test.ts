import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { renderTraefikHub } from '../../src/lib/gitops/render/traefik-hub.ts';
import type { Grant, KnownGrants, PlanLimits } from '../../src/lib/gitops/render/types.ts';
import { presenceFor } from '../../src/lib/server/gitops.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const LIMITS: PlanLimits = new Map([['apps/gold', { rateLimit: { requests: 10, periodSeconds: 1 } }]]);

/** One application with one subscription and two keys: one with an encrypted Secret (traefik-hub can grant it), one without. */
const grant: Grant = {
  applicationId: 'app-a',
  ownerId: 'acct',
  applicationName: 'A',
  namespace: 'apps',
  subscriptions: [{ id: 'sub-a', offer: 'apps/offer', apis: ['apps/api'], bundles: [], plan: 'apps/gold', operationFilter: [] }],
  keys: [
    { keyId: 'Secret01', sha256: sha('with secret'), title: 'with secret', suspended: false, encryptedSecret: { name: 'app-a-key-secret01', document: 'kind: Secret\n' } },
    { keyId: 'HashOnly', sha256: sha('hash only'), title: 'hash only', suspended: false },
  ],
};
// What one reconcile pass read from the database just before the branch.
const known: KnownGrants = {
  keys: grant.keys.map((k) => ({ keyId: k.keyId, sha256: k.sha256, applicationId: 'app-a', status: 'committed' })),
  subscriptions: [
    { id: 'sub-a', applicationId: 'app-a', status: 'committed' },
    { id: 'sub-old', applicationId: 'app-a', status: 'revoked' },
  ],
};
const bothFiles = new Map([...renderTraefikHub([grant]), ...renderHaproxy([grant], LIMITS)]);

describe('how the reconciler reads grants from the configured gateways', () => {
  it('with haproxy alone, finds keys by their hashes from the pass’s own read, and subscriptions by plans.map', () => {
    const present = presenceFor(['haproxy'])(renderHaproxy([grant], LIMITS), known);
    expect([...present.keys.keys()].sort()).toEqual(['HashOnly', 'Secret01']);
    expect([...present.subscriptions.keys()]).toEqual(['sub-a']);
  });

  it('with traefik-hub alone, finds only keys that have a Secret, and subscriptions by their ManagedSubscription', () => {
    const present = presenceFor(['traefik-hub'])(renderTraefikHub([grant]), known);
    expect([...present.keys.keys()]).toEqual(['Secret01']);
    expect([...present.subscriptions.keys()]).toEqual(['sub-a']);
  });

  it('with both, grants a key either target carries, and takes subscriptions from traefik-hub only', () => {
    const present = presenceFor(['traefik-hub', 'haproxy'])(bothFiles, known);
    expect(Object.fromEntries(present.keys)).toEqual({ Secret01: 'traefik-hub/apps/app-a/application.yaml', HashOnly: 'haproxy/keys.map' });
    // plans.map names the application, not which of its subscriptions: with traefik-hub on, it decides nothing.
    const withoutSubscriptionFile = new Map([...bothFiles].filter(([f]) => !f.includes('/subscription-')));
    expect([...presenceFor(['traefik-hub', 'haproxy'])(withoutSubscriptionFile, known).subscriptions.keys()]).toEqual([]);
  });
});
