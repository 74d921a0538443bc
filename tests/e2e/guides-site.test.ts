import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalClient } from '../support/http-client.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * Guides in sub-folders of docs/ build and link to each other (issue 13): the build used to stop
 * with "Missing parameter: slug". Every link of every guide page that stays on the site answers.
 */

let portal: RunningPortal;

beforeAll(async () => {
  portal = await startPortal({ PORTICO_CONTENT_DIR: path.join(projectRoot, 'tests/fixtures/guides') });
}, 180_000);
afterAll(async () => portal?.stop());

describe('nested guides on the built site', () => {
  it('have pages, listed on the guides page, whose links on the site all answer', async () => {
    const client = portalClient(portal.base);
    const index = await client.call('GET', '/guides/');
    expect(index.status).toBe(200);
    for (const href of ['/guides/setup/install/', '/guides/reference/', '/guides/getting-started/']) expect(index.text).toContain(`href="${href}"`);
    for (const page of ['/guides/setup/install/', '/guides/reference/']) {
      const res = await client.call('GET', page);
      expect(res.status, page).toBe(200);
      const links = [...res.text.matchAll(/href="(\/guides\/[^"#]*)/g)].map((m) => m[1]!);
      expect(links.length, page).toBeGreaterThan(0);
      for (const link of links) expect((await client.call('GET', link)).status, `${page} -> ${link}`).toBe(200);
    }
    expect((await client.call('GET', '/guides/setup/install/')).text).toContain('<h1>Install the CLI</h1>');
  });

  it('render the portal description as Markdown on the catalog page', async () => {
    const html = (await portalClient(portal.base).call('GET', '/')).text;
    expect(html).toContain('<strong>labels</strong>');
    expect(html).not.toContain('## APIs of the shop');
  });
});
