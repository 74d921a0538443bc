import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CatalogGuide } from '../catalog/model.ts';
import { fileUrl } from '../gitops/links.ts';
import { renderMarkdown } from './markdown.ts';

/** Where the content repository's files can be read on the web, when its remote is a host Portico knows. */
export interface RepositoryLinks {
  /** The content root on disk. */
  root: string;
  /** The web page of a file of the content root (a path relative to it), if the host is known. */
  fileUrl?: (relativePath: string) => string | undefined;
}

/**
 * The repository the content root is in, read from Git: origin's URL, the checked-out branch and
 * the root's folder in it. Undefined without Git or a remote.
 */
export function repositoryOf(root: string): { remote: string; branch: string; prefix: string } | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  try {
    return { remote: git('remote', 'get-url', 'origin'), branch: git('symbolic-ref', '--short', 'HEAD'), prefix: git('rev-parse', '--show-prefix') };
  } catch {
    return undefined;
  }
}

/** Where the content root's files are on the web: without Git, a remote, or a known host, files get no web address. */
export function repositoryLinksOf(root: string): RepositoryLinks {
  const repository = repositoryOf(root);
  if (!repository || !fileUrl(repository.remote, repository.branch, 'x')) return { root };
  const { remote, branch, prefix } = repository;
  return { root, fileUrl: (relativePath) => fileUrl(remote, branch, `${prefix}${relativePath}`) };
}

/**
 * A guide's Markdown as HTML, its relative links made to work on the site: a link to another guide's
 * file leads to that guide's page; a link to another file of the repository leads to the file on
 * the Git host when that is known, and otherwise is shown as text rather than a broken link.
 */
export function renderGuideMarkdown(guide: CatalogGuide, guides: CatalogGuide[], repository?: RepositoryLinks): string {
  if (!guide.markdown) return '';
  const slugByFile = new Map(guides.filter((g) => g.markdown && g.source.file.endsWith('.md')).map((g) => [g.source.file, g.slug]));
  const from = path.posix.dirname(guide.source.file);
  return renderMarkdown(guide.markdown, {
    rewriteHref(href) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//') || href.startsWith('#') || href.startsWith('/')) return href;
      const [target = '', hash = ''] = href.split(/(?=#)/, 2);
      const file = path.posix.normalize(path.posix.join(from, decodeURIComponent(target.split('?')[0]!)));
      if (file.startsWith('..')) return null; // outside the content root: nothing to link to
      const guideSlug = slugByFile.get(file) ?? slugByFile.get(path.posix.join(file, 'README.md')) ?? slugByFile.get(path.posix.join(file, 'index.md'));
      if (guideSlug) return `/guides/${guideSlug}/${hash}`;
      if (repository && existsSync(path.join(repository.root, file))) return repository.fileUrl?.(file) ?? null;
      return null;
    },
  });
}
