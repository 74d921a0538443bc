import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { offersFor } from '../../src/lib/access/offers.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog, CatalogItem } from '../../src/lib/catalog/model.ts';
import { publishedCatalog } from '../../src/lib/catalog/published.ts';
import { isVisibleTo, viewerOf, type Viewer } from '../../src/lib/catalog/visibility.ts';
import { buildOperationIndex } from '../../src/lib/docs/operation-index.ts';
import { apiRoutes, findRoute, routeHref } from '../../src/lib/docs/routes.ts';
import { buildDocsSite, type DocsSite } from '../../src/lib/docs/site.ts';
import { docsSiteFor } from '../../src/lib/server/access-links.ts';
import { memberDocsSite } from '../../src/lib/server/member-docs.ts';

// Issue 16, "one rule, one place": who may see a catalog item is decided by isVisibleTo alone, and the
// static site, the member pages, the offers and the search index all follow it, for every catalog
// item of the demo content and of the real repositories (tests/fixtures/real/*).

const projectRoot = path.resolve(import.meta.dirname, '../..');
const roots = {
  demo: path.join(projectRoot, 'content'),
  'traefik-airlines': path.join(projectRoot, 'tests/fixtures/real/traefik-airlines'),
  'traefik-hub-apiaccess': path.join(projectRoot, 'tests/fixtures/real/traefik-hub-apiaccess'),
  'tyk-operator': path.join(projectRoot, 'tests/fixtures/real/tyk-operator'),
};

/** The catalog the build and the server both use: what loads, with failed APIs left out. */
const load = async (root: string) => publishedCatalog(await loadCatalog(root, { offline: true }));

/** Everyone who can look: someone not signed in, a person in no group, one per group, and one in every group. */
function viewersOf(catalog: Catalog): Array<{ name: string; groups?: string[] }> {
  const groups = [...new Set(catalog.items.flatMap((i) => (i.visibility.everyone ? [] : i.visibility.groups)))].sort();
  return [{ name: 'not signed in' }, { name: 'no groups', groups: [] }, ...groups.map((g) => ({ name: `group ${g}`, groups: [g] })), { name: 'every group', groups }];
}

/** The docs site a viewer gets: the static one when not signed in, else the one the server renders for their groups. */
function siteOf(catalog: Catalog, groups: string[] | undefined): DocsSite {
  return groups === undefined ? buildDocsSite(catalog) : docsSiteFor(catalog, groups);
}

/** The operations of an API that an item shows (its operation filter applied), as `METHOD path` of every version. */
function operationsShownBy(catalog: Catalog, item: CatalogItem, apiKey: string): string[] {
  const api = catalog.apis.find((a) => a.key === apiKey);
  return (api?.versions ?? []).flatMap((v) =>
    v.operations.filter((op) => item.operationFilter.length === 0 || op.operationSets.some((s) => item.operationFilter.includes(s))).map((op) => `${v.name} ${op.method} ${op.path}`),
  );
}

describe.each(Object.entries(roots))('who sees what in %s', async (_name, root) => {
  const catalog = await load(root);
  const publicSite = buildDocsSite(catalog);
  const index = buildOperationIndex(publicSite);

  it('has catalog items to check', () => {
    expect(catalog.items.length).toBeGreaterThan(0);
  });

  describe.each(viewersOf(catalog))('$name', ({ groups }) => {
    const viewer: Viewer = viewerOf(catalog, groups);
    const site = siteOf(catalog, groups);
    const visible = catalog.items.filter((i) => isVisibleTo(i, viewer));
    const visibleApis = new Set(visible.flatMap((i) => i.apis).filter((k) => catalog.apis.some((a) => a.key === k)));

    it('the docs site shows exactly the APIs of the items this viewer may see, with the operations those items show', () => {
      expect(site.apis.map((a) => a.api.key).sort()).toEqual([...visibleApis].sort());
      for (const item of visible) {
        for (const key of item.apis.filter((k) => visibleApis.has(k))) {
          const api = site.apis.find((a) => a.api.key === key)!;
          const shown = api.versions.flatMap((v) => v.operations.map((op) => `${v.version.name} ${op.method} ${op.path}`));
          expect(shown, `${item.key} ${key}`).toEqual(expect.arrayContaining(operationsShownBy(catalog, item, key)));
        }
      }
    });

    it('the plans on the site are those of the items this viewer may see', () => {
      const withPlan = visible.filter((i) => i.plan && catalog.plans.some((p) => p.key === i.plan));
      expect(site.plans.map((p) => p.offer).sort()).toEqual(withPlan.map((i) => i.key).sort());
    });

    it('the offers are the self-service items this viewer may see', () => {
      const offers = offersFor(catalog, groups ?? []).map((o) => o.offer);
      expect(offers.sort()).toEqual(
        catalog.items
          .filter((i) => i.selfService && i.plan && isVisibleTo(i, viewerOf(catalog, groups ?? [])))
          .map((i) => i.key)
          .sort(),
      );
      for (const item of catalog.items) expect(offers.includes(item.key), item.key).toBe(item.selfService && !!item.plan && isVisibleTo(item, viewerOf(catalog, groups ?? [])));
    });

    it('every page of the viewer answers at its address, static or member-only, and nothing else of an API does', () => {
      const member = groups === undefined ? undefined : memberDocsSite(catalog, groups);
      for (const route of apiRoutes(site.apis)) {
        const href = routeHref(route);
        const staticPage = findRoute(publicSite, href);
        const memberPage = member && findRoute(member, href);
        // Exactly what the static pages and the member-only route answer together.
        expect(staticPage ?? memberPage, href).toMatchObject({ kind: route.kind, api: { api: { key: route.api.api.key } } });
        // A page only a member may see is never in the static site.
        if (!visible.some((i) => isVisibleTo(i, viewerOf(catalog)) && i.apis.includes(route.api.api.key))) expect(staticPage, href).toBeUndefined();
      }
      for (const api of catalog.apis.filter((a) => !visibleApis.has(a.key))) {
        for (const s of [publicSite, member].filter((x): x is DocsSite => !!x))
          expect(
            s.apis.some((a) => a.api.key === api.key),
            api.key,
          ).toBe(false);
      }
    });
  });

  it('the search index lists the operations of the items shown to everyone, and nothing else', () => {
    const visible = catalog.items.filter((i) => isVisibleTo(i, viewerOf(catalog)));
    const visibleApis = new Set(visible.flatMap((i) => i.apis).filter((k) => catalog.apis.some((a) => a.key === k)));
    const indexed = new Set(index.ops.map(([at, method, opPath]) => `${index.versions[at]![2]} ${method} ${opPath}`));
    const expected = new Set<string>();
    for (const item of visible) {
      for (const key of item.apis.filter((k) => visibleApis.has(k))) {
        const api = publicSite.apis.find((a) => a.api.key === key)!;
        for (const v of api.versions)
          for (const op of v.version.operations)
            if (item.operationFilter.length === 0 || op.operationSets.some((s) => item.operationFilter.includes(s))) expected.add(`${v.href} ${op.method.toUpperCase()} ${op.path}`);
      }
    }
    expect([...indexed].sort()).toEqual([...expected].sort());
    // Every hit leads to a page of the static site.
    for (const [at, , , , slug] of index.ops) expect(findRoute(publicSite, `${index.versions[at]![2]}operations/${slug}/`)?.kind).toBe('operation');
  });
});

describe('the rule itself', async () => {
  const demo = await load(roots.demo);
  const airlines = await load(roots['traefik-airlines']);
  const item = (catalog: Catalog, key: string) => catalog.items.find((i) => i.key === key)!;

  it('shows an item for everyone to everyone, signed in or not, in the portal of its namespace', () => {
    const starter = item(demo, 'logistics/public-starter');
    expect(isVisibleTo(starter, viewerOf(demo))).toBe(true);
    expect(isVisibleTo(starter, viewerOf(demo, []))).toBe(true);
    expect(isVisibleTo(starter, viewerOf(demo, ['employees']))).toBe(true);
  });

  it('shows a group item to members of that group only', () => {
    const partners = item(demo, 'logistics/partners');
    expect(isVisibleTo(partners, viewerOf(demo))).toBe(false);
    expect(isVisibleTo(partners, viewerOf(demo, []))).toBe(false);
    expect(isVisibleTo(partners, viewerOf(demo, ['employees']))).toBe(false);
    expect(isVisibleTo(partners, viewerOf(demo, ['employees', 'partners']))).toBe(true);
    const employees = item(airlines, 'traefik-airlines/traefik-airlines-employees');
    expect(isVisibleTo(employees, viewerOf(airlines, ['employees']))).toBe(true);
    expect(isVisibleTo(employees, viewerOf(airlines, ['customers']))).toBe(false);
  });

  it('shows nothing of another namespace than the portal’s, even to members of its groups', () => {
    const employees = item(demo, 'internal/employees');
    expect(viewerOf(demo).portal?.key).toBe('logistics/developer-portal');
    expect(isVisibleTo(employees, viewerOf(demo, ['employees']))).toBe(false);
    expect(isVisibleTo(employees, viewerOf(demo, ['employees'], 'internal/internal-api-hub'))).toBe(true);
    expect(isVisibleTo(item(demo, 'logistics/public-starter'), viewerOf(demo, [], 'internal/internal-api-hub'))).toBe(false);
  });
});
