import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { tagGroupsOf } from '../../src/lib/docs/api-nav.ts';
import { LIST_PAGE_SIZE } from '../../src/lib/docs/list-pages.ts';
import { buildDocsSite, findVersion, hrefOfOperation, hrefOfSchema, type DocsSite } from '../../src/lib/docs/site.ts';
import { writeGeneratedContent } from '../support/generated-api.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// Issue 18: a tag of thousands of operations (Microsoft Graph beta's "Other operations": 2,870) and a
// list of thousands of schemas (its 6,177) are split into static pages of a fixed size, with
// previous, next and page numbers. Here one tag of 2 pages and 1 operation, and 2 pages and 1 schema.
const OPERATIONS = 2 * LIST_PAGE_SIZE.operations + 1;
const SCHEMAS = 2 * LIST_PAGE_SIZE.schemas + 1;
let dir: string;
let portal: RunningPortal;
let site: DocsSite;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-list-pages-'));
  writeGeneratedContent(dir, [{ name: 'long', tags: 1, operationsPerTag: OPERATIONS, schemas: SCHEMAS }]);
  [portal, site] = await Promise.all([startPortal({ PORTICO_CONTENT_DIR: dir }, 240_000), loadCatalog(dir, { offline: true }).then(buildDocsSite)]);
}, 300_000);
afterAll(async () => {
  await portal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get(pathname: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${portal.base}${pathname}`);
  return { status: response.status, text: await response.text() };
}
async function html(pathname: string): Promise<string> {
  const { status, text } = await get(pathname);
  expect(status, pathname).toBe(200);
  return text;
}

/** The list of a page (its main content, not the sidebar), and its pager. */
const main = (page: string) => /<main[\s\S]*<\/main>/.exec(page)?.[0] ?? '';
const pager = (page: string) => /<nav class="list-pager[^"]*"[\s\S]*?<\/nav>/.exec(page)?.[0] ?? '';
const hrefs = (fragment: string, pattern: RegExp) => [...fragment.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).filter((h) => pattern.test(h));

describe('long lists split into pages', () => {
  it("lists a long tag's operations over pages of a fixed size, each operation on exactly one page, with previous, next and page numbers", async () => {
    const { api, version } = findVersion(site, 'long')!;
    const [group] = tagGroupsOf(version);
    const first = group!.href;
    const pages = [first, `${first}page/2/`, `${first}page/3/`];
    const listed: string[] = [];
    for (const [i, pathname] of pages.entries()) {
      const page = await html(pathname);
      const ops = hrefs(main(page).replace(pager(page), ''), /\/operations\//);
      expect(ops.length, pathname).toBe(i < 2 ? LIST_PAGE_SIZE.operations : 1);
      listed.push(...ops);
      expect(page).toContain(`page ${i + 1} of 3`);
      const nav = pager(page);
      expect(nav.includes('rel="prev"'), pathname).toBe(i > 0);
      expect(nav.includes('rel="next"'), pathname).toBe(i < 2);
      for (const [j, other] of pages.entries()) expect(nav.includes(`href="${other}"`), `${pathname} links ${other}`).toBe(i !== j);
    }
    expect(new Set(listed).size).toBe(OPERATIONS);
    expect(listed.sort()).toEqual(version.operations.map((op) => hrefOfOperation(api, version, op)).sort());
    expect((await get(`${first}page/4/`)).status).toBe(404);
    expect((await get(`${first}page/1/`)).status).toBe(404); // page 1 has one address, the tag's own
  });

  it("links from an operation's sidebar to the page of its tag that lists it", async () => {
    const { api, version } = findVersion(site, 'long')!;
    const [group] = tagGroupsOf(version);
    const op = group!.operations[LIST_PAGE_SIZE.operations + 50]!;
    const page = await html(hrefOfOperation(api, version, op));
    const rest = hrefs(/<aside class="sidebar"[\s\S]*?<\/aside>/.exec(page)![0], /\/tags\//);
    expect(rest).toContain(`${group!.href}page/2/`);
    expect(await html(`${group!.href}page/2/`)).toContain(`href="${hrefOfOperation(api, version, op)}"`);
  });

  it('lists the schemas over pages of a fixed size, each linking to its schema page', async () => {
    const { api, version } = findVersion(site, 'long')!;
    const first = `${version.href}schemas/`;
    const listed: string[] = [];
    for (const [i, pathname] of [first, `${first}page/2/`, `${first}page/3/`].entries()) {
      const page = await html(pathname);
      const names = hrefs(main(page).replace(pager(page), ''), /\/schemas\/Item\d+\/$/);
      expect(names.length, pathname).toBe(i < 2 ? LIST_PAGE_SIZE.schemas : 1);
      listed.push(...names);
      expect(pager(page).includes('rel="next"'), pathname).toBe(i < 2);
    }
    expect(listed.sort()).toEqual(version.version.schemaNames.map((name) => hrefOfSchema(api, version, name)).sort());
    expect(await html(listed.at(-1)!)).toContain('Item1000');
    expect((await get(`${first}page/4/`)).status).toBe(404);
  });
});
