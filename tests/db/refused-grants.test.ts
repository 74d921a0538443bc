import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys, subscriptions } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { GitWorkspace } from '../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { renderSkippingRefused } from '../../src/lib/gitops/render/refusals.ts';
import { renderTraefikHub } from '../../src/lib/gitops/render/traefik-hub.ts';
import type { Grant, PlanLimits, RenderedFiles } from '../../src/lib/gitops/render/types.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { emptyRemote, fakeCiphertext } from '../support/writer.ts';

/*
 * One bad grant never stops the others (issue 16): a plan HAProxy cannot express (a fractional
 * rate) or a plan that left the catalog makes the renderer refuse that grant; every other grant is
 * committed, and the owner reads why in the subscription's status.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-refused-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

// The plans as the catalog gives them to HAProxy: one it can enforce, one with a fractional rate.
const LIMITS: PlanLimits = new Map([
  ['logistics/starter', { rateLimit: { requests: 10, periodSeconds: 1 } }],
  ['logistics/fractional', { rateLimit: { requests: 1.5, periodSeconds: 1 } }],
]);
/** Both gateway targets, as the portal renders them. */
const render = (grants: Grant[]): RenderedFiles => new Map([...renderTraefikHub(grants), ...renderHaproxy(grants, LIMITS)]);
const offer = (plan: string) => ({ key: `logistics/${plan}-offer`, plan: `logistics/${plan}`, apis: ['logistics/shipments'], bundles: [], operationFilter: [] });

describe.each(ENGINES)('grants a gateway cannot enforce, on %s', (_engine, open) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await open();
    await handle.db.insert(accounts).values([
      { id: 'acct-ada', email: 'ada@example.test' },
      { id: 'acct-bob', email: 'bob@example.test' },
    ]);
  });
  afterAll(async () => handle?.close());

  it('are left out, each with its reason, and every other grant is committed', async () => {
    const bare = await emptyRemote(work);
    const ws = new GitWorkspace(path.join(mkdtempSync(path.join(work, 'ws-')), 'work'), { url: bare, branch: 'main', author });
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    const good = await access.createApplication('acct-ada', { name: 'Good', namespace: 'logistics' });
    const goodSub = await access.subscribe('acct-ada', good.id, offer('starter'));
    const goodKey = await access.createKey('acct-ada', good.id, { title: 'production', encryptSecret: fakeCiphertext });
    const bad = await access.createApplication('acct-bob', { name: 'Fractional', namespace: 'logistics' });
    const badSub = await access.subscribe('acct-bob', bad.id, offer('fractional'));
    const gone = await access.subscribe('acct-bob', bad.id, offer('retired'));
    const badKey = await access.createKey('acct-bob', bad.id, { title: 'ci', encryptSecret: fakeCiphertext });

    const result = await drainOutbox(handle.db, ws, 'consumers', render);
    expect(result.outcome).toBe('published');
    if (result.outcome !== 'published') throw new Error(JSON.stringify(result));
    expect(result.refused.map((r) => [r.applicationId, r.subscriptionIds]).sort()).toEqual(
      [
        [bad.id, [badSub.id]],
        [bad.id, [gone.id]],
      ].sort(),
    );

    // Both targets carry the good grant, and the bad application's key (its key is fine).
    const keysMap = sh(bare, 'show', 'main:consumers/haproxy/keys.map');
    expect(keysMap).toContain(` ${good.id}`);
    expect(keysMap).toContain(` ${bad.id}`);
    expect(sh(bare, 'show', `main:consumers/traefik-hub/logistics/${good.id}/subscription-starter.yaml`)).toContain('name: shipments');
    expect(sh(bare, 'ls-tree', '-r', '--name-only', 'main')).not.toMatch(/subscription-(fractional|retired)/);

    const statusOf = async (id: string) => (await handle.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
    expect((await statusOf(goodSub.id)).status).toBe('committed');
    expect(await statusOf(badSub.id)).toMatchObject({
      status: 'committing',
      statusReason: expect.stringMatching(/^not committed: the gateway cannot enforce it \(haproxy: plan logistics\/fractional has rate limit 1\.5\/1s; HAProxy needs whole numbers/),
    });
    expect((await statusOf(gone.id)).statusReason).toMatch(/plan logistics\/retired, which has no limits entry/);
    const keyStatus = async (keyId: string) => (await handle.db.select().from(apiKeys).where(eq(apiKeys.keyId, keyId)))[0]!.status;
    expect(await keyStatus(goodKey.keyId)).toBe('committed');
    expect(await keyStatus(badKey.keyId)).toBe('committed');
  });
});

describe('finding the grants a renderer refuses', () => {
  const grant = (id: string, plan: string, sha: string): Grant => ({
    applicationId: id,
    ownerId: 'acct',
    applicationName: id,
    namespace: 'logistics',
    subscriptions: [{ id: `sub-${id}`, offer: 'logistics/o', apis: ['logistics/shipments'], bundles: [], plan, operationFilter: [] }],
    keys: [{ keyId: `K${id.slice(-7)}`.padEnd(8, 'x'), sha256: sha, title: 't', suspended: false }],
  });
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('costs nothing when every grant renders', () => {
    const out = renderSkippingRefused(render, [grant('app-one', 'logistics/starter', a), grant('app-two', 'logistics/starter', b)]);
    expect(out.refused).toEqual([]);
    expect(out.files).toEqual(render([grant('app-one', 'logistics/starter', a), grant('app-two', 'logistics/starter', b)]));
  });

  it('leaves out the later of two grants that clash only together (the same key hash), saying why', () => {
    const out = renderSkippingRefused(render, [grant('app-one', 'logistics/starter', a), grant('app-two', 'logistics/starter', a)]);
    expect(out.refused).toMatchObject([{ applicationId: 'app-two', reason: expect.stringMatching(/same hash as another key/) }]);
    expect(out.files.get('haproxy/keys.map')).toContain('app-one');
    expect(out.files.get('haproxy/keys.map')).not.toContain('app-two');
  });
});
