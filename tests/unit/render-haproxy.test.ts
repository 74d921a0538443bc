import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Limit } from '../../src/lib/catalog/model.ts';
import { haproxyPresence, renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import type { Grant, PlanLimits, RenderedFiles } from '../../src/lib/gitops/render/types.ts';
import { expectGoldenTree } from '../support/golden.ts';

const golden = path.resolve(import.meta.dirname, '../golden/render-haproxy');
const CASES = readdirSync(golden, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.endsWith('-expected'))
  .map((d) => d.name)
  .sort();

/** Reads a golden case's input: grants.json and limits.json (an object keyed by plan). */
function readCase(name: string): { grants: Grant[]; limits: PlanLimits } {
  const dir = path.join(golden, name);
  const grants = JSON.parse(readFileSync(path.join(dir, 'grants.json'), 'utf8')) as Grant[];
  const limits = JSON.parse(readFileSync(path.join(dir, 'limits.json'), 'utf8')) as Record<string, { rateLimit?: Limit; quota?: Limit }>;
  return { grants, limits: new Map(Object.entries(limits)) };
}

/** Compares rendered files with `<case>-expected/` byte for byte (tests/support/golden.ts: `UPDATE_GOLDEN=1` rewrites it). */
const expectGolden = (name: string, files: RenderedFiles) => expectGoldenTree(path.join(golden, `${name}-expected`), files);

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function grant(applicationId: string, plans: string[], keys: Array<{ phrase: string; suspended?: boolean }>): Grant {
  return {
    applicationId,
    ownerId: 'acct',
    applicationName: applicationId,
    namespace: 'apps',
    subscriptions: plans.map((plan, i) => ({ id: `${applicationId}-sub-${i}`, offer: 'apps/offer', apis: ['apps/api'], bundles: [], plan, operationFilter: [] })),
    keys: keys.map((k, i) => ({ keyId: `key${i}`, sha256: sha(k.phrase), title: k.phrase, suspended: k.suspended ?? false })),
  };
}

const LIMITS: PlanLimits = new Map([
  ['apps/bronze', { rateLimit: { requests: 5, periodSeconds: 10 } }],
  ['apps/gold', { rateLimit: { requests: 100, periodSeconds: 60 } }],
]);

describe('haproxy renderer', () => {
  it.each(CASES)('%s renders exactly its golden files', (name) => {
    const { grants, limits } = readCase(name);
    expectGolden(name, renderHaproxy(grants, limits));
  });

  it('renders the same bytes whatever the order of grants, keys, subscriptions and limits', () => {
    const grants = [grant('app-b', ['apps/gold', 'apps/bronze'], [{ phrase: 'b1' }, { phrase: 'b2' }]), grant('app-a', ['apps/gold'], [{ phrase: 'a1' }, { phrase: 'a2', suspended: true }])];
    const shuffled = grants.map((g) => ({ ...g, keys: [...g.keys].reverse(), subscriptions: [...g.subscriptions].reverse() })).reverse();
    const reversedLimits: PlanLimits = new Map([...LIMITS].reverse());
    expect(renderHaproxy(shuffled, reversedLimits)).toEqual(renderHaproxy(grants, LIMITS));
  });

  it('lets a key in only while it is not suspended, and keeps keys that carry an expiry for the reconciler to remove', () => {
    const g = grant('app-a', ['apps/gold'], [{ phrase: 'live' }, { phrase: 'paused', suspended: true }]);
    g.keys[0]!.expiresAt = '2030-01-01T00:00:00.000Z';
    const keys = renderHaproxy([g], LIMITS).get('haproxy/keys.map')!;
    expect(keys).toContain(`${sha('live')} app-a\n`);
    expect(keys).not.toContain(sha('paused'));
  });

  it('holds an application to its strictest plan, and leaves applications without a subscription out of plans.map', () => {
    const files = renderHaproxy([grant('app-two', ['apps/gold', 'apps/bronze'], [{ phrase: 'x' }]), grant('app-none', [], [{ phrase: 'y' }])], LIMITS);
    const plans = files.get('haproxy/plans.map')!;
    expect(plans).toContain('app-two 5/10\n');
    expect(plans).not.toContain('app-none');
    expect(files.get('haproxy/keys.map')).toContain(`${sha('y')} app-none\n`);
  });

  it('writes each quota to quotas.map, holding an application with several plans to the strictest quota', () => {
    const limits: PlanLimits = new Map([
      ['apps/daily', { rateLimit: { requests: 10, periodSeconds: 1 }, quota: { requests: 1000, periodSeconds: 86_400 } }],
      ['apps/monthly', { rateLimit: { requests: 100, periodSeconds: 10 }, quota: { requests: 100_000, periodSeconds: 2_592_000 } }],
      ['apps/open', { rateLimit: { requests: 5, periodSeconds: 1 } }],
    ]);
    const files = renderHaproxy([grant('app-both', ['apps/monthly', 'apps/daily'], []), grant('app-open', ['apps/open'], []), grant('app-month', ['apps/monthly'], [])], limits);
    // 1,000 a day is fewer per second than 100,000 in 30 days.
    expect(files.get('haproxy/quotas.map')).toContain('app-both 1000/86400\n');
    expect(files.get('haproxy/quotas.map')).toContain('app-month 100000/2592000\n');
    expect(files.get('haproxy/quotas.map')).not.toContain('app-open');
    const cfg = files.get('haproxy/portico.cfg')!;
    expect(cfg.match(/store http_req_cnt/g)).toHaveLength(2);
    expect(cfg).toContain('track-sc1 var(txn.portico_quota_key) table portico_quota_86400s if { var(txn.portico_quota_period) -m str 86400 }');
    // HAProxy cannot keep an entry longer than ~24.8 days, so a 30-day window's entries expire at the cap.
    expect(cfg).toContain('backend portico_quota_2592000s\n    stick-table type string len 140 size 100k expire 2000000s store http_req_cnt\n');
    expect(cfg).toContain('"detail":"Quota used up:');
  });

  it('writes an empty quotas.map when no plan has a quota, so HAProxy always finds the file', () => {
    const files = renderHaproxy([grant('app-a', ['apps/gold'], [{ phrase: 'k' }])], LIMITS);
    expect(
      files
        .get('haproxy/quotas.map')!
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toEqual([]);
    expect(files.get('haproxy/portico.cfg')).not.toContain('track-sc1');
  });

  it('makes one stick table per distinct period, not one per plan', () => {
    const limits: PlanLimits = new Map([
      ['apps/a', { rateLimit: { requests: 5, periodSeconds: 10 } }],
      ['apps/b', { rateLimit: { requests: 50, periodSeconds: 10 } }],
    ]);
    const cfg = renderHaproxy([grant('app-a', ['apps/a'], []), grant('app-b', ['apps/b'], [])], limits).get('haproxy/portico.cfg')!;
    expect(cfg.match(/stick-table/g)).toHaveLength(1);
    expect(cfg).toContain('backend portico_rate_10s');
  });

  it('refuses input it cannot render safely, in plain words', () => {
    const ok = grant('app-a', ['apps/gold'], [{ phrase: 'k' }]);
    expect(() => renderHaproxy([{ ...ok, applicationId: 'app a' }], LIMITS)).toThrow(/application id "app a"/);
    expect(() => renderHaproxy([ok, ok], LIMITS)).toThrow(/appears in two grants/);
    expect(() => renderHaproxy([{ ...ok, keys: [{ ...ok.keys[0]!, sha256: 'ABC' }] }], LIMITS)).toThrow(/no lower-case hex SHA-256/);
    expect(() => renderHaproxy([ok, { ...grant('app-b', [], []), keys: ok.keys }], LIMITS)).toThrow(/same hash as another key/);
    expect(() => renderHaproxy([grant('app-a', ['apps/unknown'], [])], LIMITS)).toThrow(/plan apps\/unknown, which has no limits entry/);
    const fractional: PlanLimits = new Map([['apps/gold', { rateLimit: { requests: 1.5, periodSeconds: 10 } }]]);
    expect(() => renderHaproxy([ok], fractional)).toThrow(/whole numbers/);
    const tooLong: PlanLimits = new Map([['apps/gold', { rateLimit: { requests: 1, periodSeconds: 30 * 86_400 } }]]);
    expect(() => renderHaproxy([ok], tooLong)).toThrow(/at most 2000000 seconds/);
    const fractionalQuota: PlanLimits = new Map([['apps/gold', { quota: { requests: 10, periodSeconds: 0.5 } }]]);
    expect(() => renderHaproxy([ok], fractionalQuota)).toThrow(/plan apps\/gold has quota 10\/0.5s; HAProxy needs whole numbers/);
  });

  it('writes hashes only: no file in the golden cases holds anything key-shaped', () => {
    for (const name of CASES) {
      for (const text of renderHaproxy(readCase(name).grants, readCase(name).limits).values()) {
        expect(text).not.toMatch(/[a-z]{2,10}_(live|test)_[0-9A-Za-z]{38}/);
      }
    }
  });

  it('reads back what it wrote: keys by the hashes the database knows, subscriptions of planned applications', () => {
    const files = renderHaproxy([grant('app-a', ['apps/gold'], [{ phrase: 'a1' }, { phrase: 'a2', suspended: true }]), grant('app-b', ['apps/bronze'], [{ phrase: 'b1' }])], LIMITS);
    const known = {
      keys: [
        { keyId: 'A1', sha256: sha('a1'), applicationId: 'app-a', status: 'committed' },
        { keyId: 'A2', sha256: sha('a2'), applicationId: 'app-a', status: 'suspended' },
        { keyId: 'B1', sha256: sha('b1'), applicationId: 'app-b', status: 'revoked' },
        { keyId: 'C1', sha256: sha('c1'), applicationId: 'app-c', status: 'committing' },
      ],
      subscriptions: [
        { id: 'sub-a', applicationId: 'app-a', status: 'active' },
        { id: 'sub-b', applicationId: 'app-b', status: 'committed' },
        { id: 'sub-b-old', applicationId: 'app-b', status: 'revoked' },
        { id: 'sub-c', applicationId: 'app-c', status: 'committed' },
      ],
    };
    const present = haproxyPresence(files, known);
    // The suspended key is left out of keys.map; a revoked key still in the file is reported (drift).
    expect(Object.fromEntries(present.keys)).toEqual({ A1: 'haproxy/keys.map', B1: 'haproxy/keys.map' });
    expect(Object.fromEntries(present.subscriptions)).toEqual({ 'sub-a': 'haproxy/plans.map', 'sub-b': 'haproxy/plans.map' });
    // Hashes the database does not know and comment lines name nobody; missing files grant nothing.
    expect(haproxyPresence(files, { keys: [], subscriptions: [] })).toEqual({ keys: new Map(), subscriptions: new Map() });
    expect(haproxyPresence(new Map(), known)).toEqual({ keys: new Map(), subscriptions: new Map() });
  });
});
