import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { renderGuideMarkdown, repositoryLinksOf } from '../../src/lib/docs/guide-links.ts';

/* Guides like a docs site (issue 13): nested folders, links that work, titles people wrote. */

const fixture = path.resolve(import.meta.dirname, '../fixtures/guides');
let repo: string;
let catalog: Catalog;

beforeAll(async () => {
  // A real Git repository whose origin is on GitHub (only its URL is read; nothing is fetched).
  repo = path.join(mkdtempSync(path.join(tmpdir(), 'portico-guides-')), 'platform');
  cpSync(fixture, repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', 'git@github.com:acme/platform-gitops.git');
  catalog = await loadCatalog(repo);
});
afterAll(() => rmSync(path.dirname(repo), { recursive: true, force: true }));

const guide = (slug: string) => catalog.guides.find((g) => g.slug === slug)!;

describe('guides in sub-folders of docs/', () => {
  it('get slugs with their folders, README naming its folder', () => {
    // shop-welcome is the fixture's ContentItem, beside the Markdown files.
    expect(catalog.guides.map((g) => g.slug).sort()).toEqual(['getting-started', 'reference', 'setup/install', 'shop-welcome']);
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('take their titles from frontmatter or the first heading outside code, trimmed', () => {
    expect(guide('setup/install').title).toBe('Install the CLI');
    expect(guide('reference').title).toBe('Reference');
    expect(guide('getting-started').title).toBe('Getting started');
  });

  it('link to other guides by their pages, and to repository files on the Git host', () => {
    const html = renderGuideMarkdown(guide('setup/install'), catalog.guides, repositoryLinksOf(repo));
    expect(html).toContain('<a href="/guides/getting-started/">getting started</a>');
    expect(html).toContain('<a href="/guides/reference/">reference</a>');
    expect(html).toContain('<a href="/guides/reference/#options">its options</a>');
    expect(html).toContain('<a href="https://github.com/acme/platform-gitops/blob/main/apis/parcels/api.yaml" rel="noopener noreferrer nofollow">its manifest</a>');
    expect(html).toContain('<a href="https://traefik.io/" rel="noopener noreferrer nofollow">Traefik</a>');
    // What leads nowhere is text, not a broken link.
    expect(html).toContain('a missing file');
    expect(html).toContain('an escape');
    expect(html).not.toMatch(/href="[^"]*(nowhere|passwd)/);
    expect(renderGuideMarkdown(guide('reference'), catalog.guides, repositoryLinksOf(repo))).toContain('<a href="/guides/setup/install/">the install guide</a>');
  });

  it('show repository files as text when the remote is not a known host', () => {
    const html = renderGuideMarkdown(guide('setup/install'), catalog.guides, { root: repo });
    expect(html).toContain('its manifest');
    expect(html).not.toContain('api.yaml"');
  });
});

describe('Markdown wherever a description is shown', () => {
  it('keeps the portal description as Markdown for the catalog page to render', () => {
    expect(catalog.portals[0]!.description).toContain('## APIs of the shop');
  });
});
