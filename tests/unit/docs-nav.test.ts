import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildApiNav, hasTagPages, NAV_LIMITS, tagGroupsOf, type ApiNav } from '../../src/lib/docs/api-nav.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { writeGeneratedContent } from '../support/generated-api.ts';

// Issue 18: a page's navigation does not grow with the API (Microsoft Graph beta: 829 tags).
let dir: string;
let site: DocsSite;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-nav-'));
  writeGeneratedContent(dir, [
    { name: 'narrow', tags: 40, operationsPerTag: 3 },
    { name: 'wide', tags: 900, operationsPerTag: 3 },
    { name: 'deep', tags: 3, operationsPerTag: 400 },
  ]);
  site = buildDocsSite(await loadCatalog(dir, { offline: true }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const links = (nav: ApiNav) => nav.tags.length + nav.tags.reduce((n, t) => n + t.operations.length + (t.rest ? 1 : 0), 0) + (nav.allTags ? 1 : 0);

describe('the sidebar of an API', () => {
  it('lists every tag of an API with few tags, and the tags around the current one of an API with many', () => {
    const narrow = findVersion(site, 'narrow')!;
    const wide = findVersion(site, 'wide')!;
    expect(buildApiNav(narrow.api, narrow.version).tags).toHaveLength(40);
    expect(buildApiNav(narrow.api, narrow.version).allTags).toBeUndefined();

    const op = wide.version.operations.find((o) => o.operationId === 't0450-list0001')!;
    const nav = buildApiNav(wide.api, wide.version, op);
    const around = NAV_LIMITS.tagsAround;
    expect(nav.tags.map((t) => t.group.tag)).toEqual(Array.from({ length: 2 * around + 1 }, (_, i) => `Tag 0${450 - around + i}`));
    expect(nav.tags.filter((t) => t.open).map((t) => t.group.tag)).toEqual(['Tag 0450']);
    expect(nav.tags.find((t) => t.open)!.operations.map((o) => [o.operation.operationId, o.current])).toEqual([
      ['t0450-list0000', false],
      ['t0450-list0001', true],
      ['t0450-list0002', false],
    ]);
    expect(nav.allTags).toEqual({ count: 900, href: `${wide.version.href}#operations` });
  });

  it('has as many links on a page of an API of 900 tags as on one of 40', () => {
    const narrow = findVersion(site, 'narrow')!;
    const wide = findVersion(site, 'wide')!;
    const first = (v: typeof wide.version) => v.operations[0]!;
    const last = (v: typeof wide.version) => v.operations.at(-1)!;
    const widest = Math.max(...[first, last].map((at) => links(buildApiNav(wide.api, wide.version, at(wide.version)))), links(buildApiNav(wide.api, wide.version)));
    expect(widest).toBeLessThanOrEqual(links(buildApiNav(narrow.api, narrow.version, first(narrow.version))));
  });

  it('lists the operations around the current one of a tag too long to list, and links to the page of the tag that lists it for the rest', () => {
    const deep = findVersion(site, 'deep')!;
    expect(hasTagPages(deep.version)).toBe(true);
    const op = deep.version.operations.find((o) => o.operationId === 't0001-list0200')!;
    const open = buildApiNav(deep.api, deep.version, op).tags.find((t) => t.open)!;
    expect(open.operations).toHaveLength(2 * NAV_LIMITS.operationsAround + 1);
    expect(open.operations[NAV_LIMITS.operationsAround]!.operation).toBe(op);
    // The 201st operation of its tag: on the second page of the tag's operations (200 a page).
    expect(open.rest).toBe(`${deep.version.href}tags/tag-0001/page/2/`);
    // At the edge of the list, the window stays whole.
    const firstOp = deep.version.operations.find((o) => o.operationId === 't0001-list0000')!;
    expect(buildApiNav(deep.api, deep.version, firstOp).tags.find((t) => t.open)!.operations[0]!.operation).toBe(firstOp);
  });

  it('links tags to their own pages where the version has them, and to sections of its page where not', () => {
    const narrow = findVersion(site, 'narrow')!;
    const wide = findVersion(site, 'wide')!;
    expect(hasTagPages(narrow.version)).toBe(false);
    expect(tagGroupsOf(narrow.version)[0]!.href).toBe(`${narrow.version.href}#tag-tag-0000`);
    expect(
      tagGroupsOf(wide.version)
        .map((g) => g.href)
        .slice(0, 2),
    ).toEqual([`${wide.version.href}tags/tag-0000/`, `${wide.version.href}tags/tag-0001/`]);
    expect(new Set(tagGroupsOf(wide.version).map((g) => g.slug)).size).toBe(900);
  });
});
