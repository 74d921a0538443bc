import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { NAV_LIMITS, tagGroupsOf } from '../../src/lib/docs/api-nav.ts';
import { buildDocsSite, findVersion, hrefOfOperation, type DocsSite } from '../../src/lib/docs/site.ts';
import { writeGeneratedContent } from '../support/generated-api.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// Issue 18: a page's size does not grow with its API. Two generated APIs of the same shape, one
// with four times the tags and operations of the other, built as a real site and read as HTML.
let dir: string;
let portal: RunningPortal;
let site: DocsSite;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portico-scale-'));
  writeGeneratedContent(dir, [
    { name: 'medium', tags: 50, operationsPerTag: 8 },
    { name: 'large', tags: 200, operationsPerTag: 8 },
  ]);
  [portal, site] = await Promise.all([startPortal({ PORTICO_CONTENT_DIR: dir }, 240_000), loadCatalog(dir, { offline: true }).then(buildDocsSite)]);
}, 300_000);
afterAll(async () => {
  await portal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function html(pathname: string): Promise<string> {
  const response = await fetch(`${portal.base}${pathname}`);
  expect(response.status, pathname).toBe(200);
  return response.text();
}

/** The largest of the pages of an API's first, middle and last operations. */
async function largestOperationPage(name: string): Promise<number> {
  const { api, version } = findVersion(site, name)!;
  const ops = version.operations;
  const pages = await Promise.all([ops[0]!, ops[Math.floor(ops.length / 2)]!, ops.at(-1)!].map((op) => html(hrefOfOperation(api, version, op))));
  return Math.max(...pages.map((p) => Buffer.byteLength(p)));
}

const sidebar = (page: string) => /<aside class="sidebar"[\s\S]*?<\/aside>/.exec(page)?.[0] ?? '';

describe('pages of a large API', () => {
  it('an operation page of an API of 1,600 operations in 200 tags is no larger than one of 400 in 50', async () => {
    const medium = await largestOperationPage('medium');
    const large = await largestOperationPage('large');
    // The counts in "All 200 tags" and "Operations (1600)" are a few characters longer.
    expect(large).toBeLessThanOrEqual(medium + 32);
    const { api, version } = findVersion(site, 'large')!;
    const nav = sidebar(await html(hrefOfOperation(api, version, version.operations[800]!)));
    expect(nav.match(/<li/g)!.length).toBe(2 * NAV_LIMITS.tagsAround + 1 + 8);
    expect(nav).toContain('All 200 tags');
  });

  it("lists a large version's tags on its page, each linking to a page of its operations, and no operation", async () => {
    for (const name of ['medium', 'large']) {
      const { version } = findVersion(site, name)!;
      const page = await html(version.href);
      expect(page).not.toContain('/operations/');
      const groups = tagGroupsOf(version);
      for (const g of groups) expect(page).toContain(`href="${g.href}"`);
      const tagPage = await html(groups[7]!.href);
      expect(tagPage.match(/class="op-link"/g)!.length).toBe(8 + 8); // the list, and the sidebar's open tag
      expect(tagPage).toContain('<h1>Tag 0007');
    }
    const perTag = await Promise.all(['medium', 'large'].map(async (n) => Buffer.byteLength(await html(findVersion(site, n)!.version.href)) / tagGroupsOf(findVersion(site, n)!.version).length));
    // The version's page grows with its tags only: the bytes per tag stay the same (the fixed part is spread thinner).
    expect(perTag[1]!).toBeLessThanOrEqual(perTag[0]!);
  });
});
