import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessTargetOf, chooseOffers, getAccessHref, tryItHref } from '../../src/lib/access/get-access.ts';
import { offersFor } from '../../src/lib/access/offers.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildDocsSite } from '../../src/lib/docs/site.ts';
import { safeNext } from '../../src/lib/server/http.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

describe('"Get access": from a docs page to the offer to subscribe to', async () => {
  const catalog = await loadCatalog(path.join(projectRoot, 'content'), { offline: true });
  const everyone = offersFor(catalog, []);
  const partner = offersFor(catalog, ['partners']);

  it('links to one server step, with what the page shows in its query, and reads it back', () => {
    const href = getAccessHref({ api: 'logistics/shipments', plan: 'logistics/growth' });
    expect(href).toBe('/account/get-access/?api=logistics%2Fshipments&plan=logistics%2Fgrowth');
    expect(accessTargetOf(new URL(href, 'http://portal.test').searchParams)).toEqual({ api: 'logistics/shipments', plan: 'logistics/growth' });
    expect(getAccessHref({})).toBe('/account/get-access/');
    // The link survives sign-up as a `next`: it stays on the portal.
    expect(safeNext(href, 'http://portal.test')).toBe(href);
  });

  it('drops query values that cannot be keys', () => {
    const target = accessTargetOf(new URLSearchParams({ api: '<script>', plan: 'a/b/c', offer: 'x'.repeat(301) }));
    expect(target).toEqual({});
    expect(accessTargetOf(new URLSearchParams({ api: 'logistics/shipments', offer: '../../etc' }))).toEqual({ api: 'logistics/shipments' });
  });

  it('shows the offers of the API and preselects the one on the plan the reader came from', () => {
    const byPlan = chooseOffers(everyone, { api: 'logistics/shipments', plan: 'logistics/growth' });
    expect(byPlan.offers.map((o) => o.offer)).toEqual(['logistics/public-starter', 'logistics/public-monitoring']);
    expect(byPlan.preselected?.offer).toBe('logistics/public-monitoring');
    expect(byPlan.preselected?.approval).toBe('pull-request');
    // No plan named and two offers: the person chooses (the page checks the first).
    expect(chooseOffers(everyone, { api: 'logistics/shipments' }).preselected).toBeUndefined();
    // The plans page names the offer itself.
    expect(chooseOffers(everyone, { offer: 'logistics/public-starter', plan: 'logistics/starter' })).toMatchObject({
      offers: [{ offer: 'logistics/public-starter' }],
      preselected: { offer: 'logistics/public-starter' },
    });
  });

  it('offers group-only plans to members only', () => {
    expect(chooseOffers(everyone, { api: 'logistics/partner-rates' }).offers).toEqual([]);
    const members = chooseOffers(partner, { api: 'logistics/partner-rates', plan: 'logistics/partner-unlimited' });
    expect(members.preselected?.plan.title).toBe('Partner Unlimited');
    expect(chooseOffers(everyone, { api: 'logistics/no-such-api' }).offers).toEqual([]);
  });

  it('tries a new key on a GET operation the plan covers, with nothing to type when the API has one', () => {
    const site = buildDocsSite(catalog);
    const starter = everyone.find((o) => o.offer === 'logistics/public-starter')!;
    for (const api of starter.apis) {
      const href = tryItHref(site, api.key, starter.operationFilter);
      const docs = site.apis.find((a) => a.api.key === api.key)!;
      expect(href, api.key).toMatch(new RegExp(`^${docs.versions[0]!.href}(operations/[^/]+/#try-it|try/)$`));
    }
    const shipments = tryItHref(site, 'logistics/shipments', starter.operationFilter)!;
    const op = site.apis.find((a) => a.api.key === 'logistics/shipments')!.versions[0]!.operations.find((o) => shipments.includes(`/operations/${o.operationId}/`))!;
    expect(op.method).toBe('get');
    expect(op.parameters.filter((p) => p.in === 'path')).toEqual([]);
    // A plan limited to an operation set only leads to operations in it.
    const monitoring = everyone.find((o) => o.offer === 'logistics/public-monitoring')!;
    const readOnly = tryItHref(site, 'logistics/shipments', monitoring.operationFilter)!;
    const readOp = site.apis.find((a) => a.api.key === 'logistics/shipments')!.versions[0]!.operations.find((o) => readOnly.includes(`/operations/${o.operationId}/`));
    expect(readOp?.operationSets.some((s) => monitoring.operationFilter.includes(s))).toBe(true);
    expect(tryItHref(site, 'logistics/no-such-api', [])).toBeUndefined();
  });
});
