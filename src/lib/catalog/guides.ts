import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { HUB, type KindIndex, keyOf, ofKind } from './kind-index.ts';
import type { CatalogGuide } from './model.ts';
import type { RefCheck } from './references.ts';
import { type ContentScan, diagnosticAt, sourceOf } from './resources.ts';

/** Traefik Hub ContentItems: guides attached to a portal, an API or a bundle. */
export function readContentItems(index: KindIndex, refs: RefCheck): CatalogGuide[] {
  const portals = new Set(ofKind(index, HUB, 'APIPortal').map((r) => keyOf(r.id.namespace, r.id.name)));
  return ofKind(index, HUB, 'ContentItem').map((r) => {
    const parentKind = r.spec.parentRef?.kind as 'APIPortal' | 'API' | 'APIBundle' | undefined;
    const parentKey = keyOf(r.id.namespace, String(r.spec.parentRef?.name ?? ''));
    const known = parentKind === 'APIPortal' ? portals : parentKind === 'API' ? refs.apis : parentKind === 'APIBundle' ? refs.bundles : undefined;
    if (known && !known.has(parentKey)) {
      refs.diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['spec', 'parentRef', 'name'],
          'error',
          'reference',
          `ContentItem ${r.id.name} belongs to ${parentKind} "${r.spec.parentRef?.name}", which does not exist in namespace ${r.id.namespace}`,
        ),
      );
    }
    return {
      slug: `${r.id.namespace}-${r.id.name}`,
      title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
      order: typeof r.spec.order === 'number' ? r.spec.order : 0,
      markdown: typeof r.spec.content === 'string' ? r.spec.content : undefined,
      link: typeof r.spec.link?.href === 'string' ? r.spec.link.href : undefined,
      parent: parentKind && known?.has(parentKey) ? { kind: parentKind, key: parentKey } : undefined,
      source: sourceOf(r),
    };
  });
}

/** The text of a Markdown document's first level-1 heading, outside code blocks, trimmed. */
export function firstHeading(markdown: string): string | undefined {
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker[0] === fence[0])) {
      fence = fence ? undefined : marker;
      continue;
    }
    if (fence) continue;
    const heading = /^\s{0,3}#\s+(.+?)\s*#*\s*$/.exec(line)?.[1]?.trim();
    if (heading) return heading;
  }
  return undefined;
}

/** Guides from Markdown files under `docs/` in the content root, with optional YAML frontmatter. */
export function readMarkdownGuides(root: string, scan: ContentScan, diagnostics: Diagnostic[]): CatalogGuide[] {
  const guides: CatalogGuide[] = [];
  for (const file of scan.markdownFiles.filter((f) => f.startsWith('docs/'))) {
    let text: string;
    try {
      text = readFileSync(path.join(root, file), 'utf8');
    } catch (err) {
      diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file, line: 1, column: 1 });
      continue;
    }
    let meta: Record<string, unknown> = {};
    let body = text;
    const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
    if (fm) {
      body = text.slice(fm[0].length);
      try {
        const parsed = parseYaml(fm[1]!, { logLevel: 'error' }); // its warnings would go to stderr
        if (parsed && typeof parsed === 'object') meta = parsed as Record<string, unknown>;
      } catch (err) {
        diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot parse the frontmatter: ${(err as Error).message.split('\n')[0]}`, file, line: 2, column: 1 });
      }
    }
    const heading = firstHeading(body);
    const title = typeof meta.title === 'string' && meta.title.trim() ? meta.title.trim() : (heading ?? path.basename(file, '.md'));
    guides.push({
      // Sub-folders stay in the slug (docs/setup/install.md is /guides/setup/install/); README and index name their folder.
      slug:
        file
          .replace(/^docs\//, '')
          .replace(/\.md$/i, '')
          .replace(/(^|\/)(readme|index)$/i, '')
          .replace(/[^A-Za-z0-9/-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .toLowerCase() || 'index',
      title,
      description: typeof meta.description === 'string' ? meta.description : undefined,
      order: typeof meta.order === 'number' ? meta.order : 100,
      markdown: body,
      source: { file, line: 1, column: 1 },
    });
  }
  return guides;
}
