import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { accounts, apiKeys, subscriptions } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { GitWorkspace } from '../../src/lib/gitops/git.ts';
import { reconcile } from '../../src/lib/gitops/reconciler.ts';
import { applicationFolders, carriesKey, gatewayTargets, presenceOf, renderTargets, subscriptionsNamedBy } from '../../src/lib/gitops/render/targets.ts';
import type { PlanLimits } from '../../src/lib/gitops/render/types.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES } from '../support/databases.ts';
import { emptyRemote } from '../support/writer.ts';

const work = mkdtempSync(path.join(tmpdir(), 'portico-kong-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

/** Stands in for SOPS/age: the writer and the renderer carry whatever the encryption step made. */
const kongCiphertext = (_key: string, keyId: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  labels:\n    konghq.com/credential: key-auth\n  name: key-${keyId.toLowerCase()}\nstringData:\n  key: ENC[AES256_GCM,data:opaque,type:str]\n`;

const LIMITS: PlanLimits = new Map([
  ['logistics/starter', { rateLimit: { requests: 10, periodSeconds: 1 } }],
  ['logistics/ten-seconds', { rateLimit: { requests: 5, periodSeconds: 10 } }],
]);

describe.each(ENGINES)('grants for Kong through the writer and the reconciler on %s', (_engine, open) => {
  it('commits a consumer, activates it from the branch, refuses a plan Kong cannot express, and names the commit that reverts it', async () => {
    const handle = await open();
    try {
      await handle.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const bare = await emptyRemote(work);
      const ws = new GitWorkspace(path.join(work, `ws-${_engine}`), { url: bare, branch: 'main', author });
      const targets = gatewayTargets(['kong']);
      const render = renderTargets(targets, { limits: LIMITS, settings: {} });
      const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
      const app = await access.createApplication('acct-ada', { name: 'Widget', namespace: 'logistics' });
      const sub = await access.subscribe('acct-ada', app.id, { key: 'logistics/public-starter', plan: 'logistics/starter', apis: ['logistics/shipments'], bundles: [], operationFilter: [] });
      const bad = await access.subscribe('acct-ada', app.id, { key: 'logistics/burst', plan: 'logistics/ten-seconds', apis: ['logistics/shipments'], bundles: [], operationFilter: [] });
      const key = await access.createKey('acct-ada', app.id, { title: 'production', encryptSecret: kongCiphertext });

      const drain = await drainOutbox(handle.db, ws, 'consumers', render, { presence: subscriptionsNamedBy(targets) });
      expect(drain).toMatchObject({ outcome: 'published', refused: [{ subscriptionIds: [bad.id], reason: expect.stringContaining('rate limit 5/10s') }] });
      const consumer = parse(sh(bare, 'show', `main:consumers/kong/logistics/${app.id}/consumer.yaml`)) as Record<string, any>;
      expect([consumer.credentials, consumer.metadata.annotations['portico.dev/subscriptions'], consumer.metadata.annotations['konghq.com/plugins']]).toEqual([
        [`${app.id}-key-${key.keyId.toLowerCase()}`],
        sub.id,
        'portico-plan-starter',
      ]);
      expect(sh(bare, 'show', `main:consumers/kong/logistics/${app.id}/secret-${key.keyId}.yaml`)).toBe(kongCiphertext('', key.keyId).trimEnd());

      const args = [presenceOf(targets), carriesKey(targets), applicationFolders(targets)] as const;
      const first = await reconcile(handle.db, ws, 'consumers', ...args);
      expect(first.activated.sort()).toEqual([key.keyId, sub.id].sort());
      const [badRow] = await handle.db.select().from(subscriptions).where(eq(subscriptions.id, bad.id));
      expect([badRow!.status, badRow!.statusReason]).toEqual([
        'committing',
        expect.stringMatching(/^not committed: the gateway cannot enforce it \(kong: plan logistics\/ten-seconds has rate limit 5\/10s/),
      ]);

      // A platform engineer reverts the grant in Git: the consumer is gone, and the reason names the commit.
      const clone = path.join(work, `human-${_engine}`);
      sh(work, 'clone', '-q', bare, clone);
      sh(clone, '-c', 'user.name=Pat Platform', '-c', 'user.email=pat@example.test', 'revert', '--no-edit', 'HEAD');
      sh(clone, 'push', '-q', 'origin', 'main');
      const revertSha = sh(clone, 'rev-parse', 'HEAD');
      expect(existsSync(path.join(clone, `consumers/kong/logistics/${app.id}/consumer.yaml`))).toBe(false);

      const after = await reconcile(handle.db, ws, 'consumers', ...args);
      expect(after.revoked.map((r) => r.id).sort()).toEqual([key.keyId, sub.id].sort());
      const [subRow] = await handle.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
      expect(subRow).toMatchObject({ status: 'revoked', statusCommit: revertSha });
      expect(subRow!.statusReason).toMatch(new RegExp(`^removed from main by ${revertSha.slice(0, 12)} "Revert ".+" \\(Pat Platform\\)$`));
      const [keyRow] = await handle.db.select().from(apiKeys).where(eq(apiKeys.keyId, key.keyId));
      expect(keyRow!.status).toBe('revoked');
    } finally {
      await handle.close();
    }
  });
});
