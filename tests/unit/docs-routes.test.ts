import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { buildApiNav, tagGroupsOf } from '../../src/lib/docs/api-nav.ts';
import { apiRoutes, findRoute, routeHref, staticPathsOf } from '../../src/lib/docs/routes.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { memberDocsSite } from '../../src/lib/server/member-docs.ts';
import { writeGeneratedContent } from '../support/generated-api.ts';

// Issue 16: one route table for the pages of an API, used by the static pages and the member-only
// route alike. Here a group-only API large enough to have a page per tag (issue 18).
let dir: string;
let catalog: Catalog;
let publicSite: DocsSite;
let member: DocsSite;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-routes-'));
  writeGeneratedContent(dir, [
    { name: 'small', tags: 2, operationsPerTag: 3 },
    { name: 'large', tags: 3, operationsPerTag: 150 },
  ]);
  // The large API is shown to the staff group only.
  const manifest = path.join(dir, 'apis/large/api.yaml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('  everyone: true', '  groups:\n    - staff'));
  catalog = await loadCatalog(dir, { offline: true });
  publicSite = buildDocsSite(catalog);
  member = memberDocsSite(catalog, ['staff'])!;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the route table of the docs', () => {
  it('has a page per tag for the large group-only API, in the member site only', () => {
    expect(publicSite.apis.map((a) => a.slug)).toEqual(['small']);
    const large = findVersion(member, 'large')!;
    const tags = apiRoutes(member.apis).filter((r) => r.kind === 'tag');
    expect(tags.map(routeHref)).toEqual(tagGroupsOf(large.version).map((g) => g.href));
    expect(tags.map(routeHref)).toEqual(['/apis/large/large/tags/tag-0000/', '/apis/large/large/tags/tag-0001/', '/apis/large/large/tags/tag-0002/']);
    for (const tag of tags) expect(findRoute(publicSite, routeHref(tag))).toBeUndefined();
  });

  it('finds every route of a site at its own address, with or without the trailing slash of a page', () => {
    for (const site of [publicSite, member]) {
      for (const route of apiRoutes(site.apis)) {
        const href = routeHref(route);
        const found = findRoute(site, href);
        expect(found && [found.kind, routeHref(found)], href).toEqual([route.kind, href]);
        if (href.endsWith('/')) expect(findRoute(site, href.slice(0, -1))?.kind, href).toBe(route.kind);
        else expect(findRoute(site, `${href}/`), href).toBeUndefined();
      }
    }
    expect(findRoute(member, '/apis/large/large/tags/no-such-tag/')).toBeUndefined();
    expect(findRoute(member, '/apis/large/large/operations/%E0%A4%A/')).toBeUndefined();
  });

  it('resolves every link of the sidebar of every page kind of the member site', () => {
    const { api, version } = findVersion(member, 'large')!;
    const navs = [buildApiNav(api, version), buildApiNav(api, version, version.operations[200]), buildApiNav(api, version, undefined, 'Tag 0002')];
    const hrefs = navs.flatMap((nav) => [...nav.tags.flatMap((t) => [t.group.href, t.rest, ...t.operations.map((o) => o.href)]), nav.allTags?.href]);
    for (const href of hrefs.filter((h): h is string => !!h)) expect(findRoute(member, new URL(href, 'http://portal').pathname), href).toBeDefined();
  });

  it('gives each static page the params of its folder under src/pages/apis/', () => {
    const [tag] = staticPathsOf(member.apis, 'tag');
    expect(tag!.params).toEqual({ api: 'large', version: 'large', tag: 'tag-0000' });
    expect(tag!.props.route.group.tag).toBe('Tag 0000');
    const [operation] = staticPathsOf(publicSite.apis, 'operation');
    expect(operation!.params).toEqual({ api: 'small', version: 'small', operation: 't0000-list0000' });
    expect(staticPathsOf(publicSite.apis, 'openapi-json').map((p) => p.params)).toEqual([{ api: 'small', version: 'small' }]);
  });
});
