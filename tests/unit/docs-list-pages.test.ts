import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildApiNav, tagGroupsOf } from '../../src/lib/docs/api-nav.ts';
import { itemsOfPage, LIST_PAGE_SIZE, listPageHref, pageCountOf, pageOfIndex, pagerOf } from '../../src/lib/docs/list-pages.ts';
import { apiRoutes, findRoute, routeHref, staticPathsOf } from '../../src/lib/docs/routes.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { memberDocsSite } from '../../src/lib/server/member-docs.ts';
import { writeGeneratedContent } from '../support/generated-api.ts';

// Issue 18: long lists (a tag's operations, a version's schemas) are static pages of a fixed size.
describe('pages of a long list', () => {
  it('puts each entry on exactly one page, in order', () => {
    const items = Array.from({ length: 1_001 }, (_, i) => i);
    const pages = pageCountOf(items.length, 500);
    expect(pages).toBe(3);
    expect(Array.from({ length: pages }, (_, p) => itemsOfPage(items, p + 1, 500)).flat()).toEqual(items);
    expect(pageOfIndex(499, 500)).toBe(1);
    expect(pageOfIndex(500, 500)).toBe(2);
    expect(pageOfIndex(1_000, 500)).toBe(3);
    expect(pageCountOf(0, 500)).toBe(1); // an empty list still has its page
  });

  it('keeps the first page at the list address and puts page n under page/n/', () => {
    expect(listPageHref('/apis/a/v1/schemas/', 1)).toBe('/apis/a/v1/schemas/');
    expect(listPageHref('/apis/a/v1/schemas/', 7)).toBe('/apis/a/v1/schemas/page/7/');
  });

  it('links previous, next, the first, the last and the pages around the current one, whatever the count', () => {
    const pager = pagerOf('/t/', 10, 20);
    expect(pager.prev).toBe('/t/page/9/');
    expect(pager.next).toBe('/t/page/11/');
    expect(pager.links.map((l) => ('gap' in l ? '…' : l.current ? `[${l.page}]` : String(l.page)))).toEqual(['1', '…', '8', '9', '[10]', '11', '12', '…', '20']);
    expect(pagerOf('/t/', 1, 2_000).links.length).toBe(pagerOf('/t/', 1, 20).links.length);
    const first = pagerOf('/t/', 1, 3);
    expect(first.prev).toBeUndefined();
    expect(first.links.map((l) => ('gap' in l ? '…' : l.href))).toEqual(['/t/', '/t/page/2/', '/t/page/3/']);
    expect(pagerOf('/t/', 3, 3).next).toBeUndefined();
  });
});

describe('the routes of list pages', () => {
  let dir: string;
  let publicSite: DocsSite;
  let member: DocsSite;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portico-list-routes-'));
    writeGeneratedContent(dir, [{ name: 'long', tags: 1, operationsPerTag: 2 * LIST_PAGE_SIZE.operations + 1, schemas: 2 * LIST_PAGE_SIZE.schemas + 1 }]);
    // Shown to the staff group only: its pages are answered by the member-only route, from the same table.
    const manifest = path.join(dir, 'apis/long/api.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('  everyone: true', '  groups:\n    - staff'));
    const catalog = await loadCatalog(dir, { offline: true });
    publicSite = buildDocsSite(catalog);
    member = memberDocsSite(catalog, ['staff'])!;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has an address for each page of a long tag and of the schema list, found by the member-only route', () => {
    const { version } = findVersion(member, 'long')!;
    const tag = tagGroupsOf(version)[0]!.href;
    const schemas = `${version.href}schemas/`;
    const lists = apiRoutes(member.apis).filter((r) => r.kind === 'tag' || r.kind === 'schemas');
    expect(lists.map(routeHref)).toEqual([tag, `${tag}page/2/`, `${tag}page/3/`, schemas, `${schemas}page/2/`, `${schemas}page/3/`]);
    for (const route of lists) {
      expect(findRoute(member, routeHref(route))).toMatchObject({ kind: route.kind, page: route.page });
      expect(findRoute(publicSite, routeHref(route))).toBeUndefined();
    }
    expect(findRoute(member, `${tag}page/4/`)).toBeUndefined();
  });

  it('gives the first page and the others to their own static page files', () => {
    expect(staticPathsOf(member.apis, 'tag', (r) => r.page === 1).map((p) => p.params)).toEqual([{ api: 'long', version: 'long', tag: 'tag-0000' }]);
    expect(staticPathsOf(member.apis, 'tag', (r) => r.page > 1).map((p) => p.params.page)).toEqual(['2', '3']);
    expect(staticPathsOf(member.apis, 'schemas', (r) => r.page > 1).map((p) => p.params)).toEqual([
      { api: 'long', version: 'long', page: '2' },
      { api: 'long', version: 'long', page: '3' },
    ]);
  });

  it("points an operation's sidebar to the page of its tag that lists it", () => {
    const { api, version } = findVersion(member, 'long')!;
    const group = tagGroupsOf(version)[0]!;
    for (const [index, page] of [
      [0, 1],
      [LIST_PAGE_SIZE.operations, 2],
      [2 * LIST_PAGE_SIZE.operations, 3],
    ] as const) {
      const nav = buildApiNav(api, version, group.operations[index]);
      const rest = nav.tags.find((t) => t.group === group)!.rest!;
      expect(rest).toBe(listPageHref(group.href, page));
      expect(findRoute(member, rest)).toBeDefined();
    }
  });
});
