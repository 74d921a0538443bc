// One search for the dialog and the search page: the exact operation index first ("GET /shipments",
// an operationId, a path fragment name their operation), then Pagefind's full-text results.
// Loaded only when someone searches; nothing here runs on a page's first paint.
import { matchOperations, OPERATION_INDEX_PATH, type OperationIndex } from '../../lib/docs/operation-index.ts';

/** One result as the dialog and the search page show it. */
export interface SearchResult {
  url: string;
  title: string;
  api?: string;
  version?: string;
  method?: string;
  path?: string;
  /** Sanitised HTML: Pagefind escapes the page text and adds only `<mark>`; exact hits escape it here. */
  excerpt: string;
}

interface PagefindData {
  url: string;
  excerpt: string;
  meta: Record<string, string | undefined>;
}
interface Pagefind {
  search(query: string): Promise<{ results: Array<{ data(): Promise<PagefindData> }> } | null>;
}

let pagefind: Promise<Pagefind> | undefined;
let operations: Promise<OperationIndex> | undefined;

/** Pagefind's own script, written by the build (not bundled: its name is built at run time so the bundler leaves it alone). */
function loadPagefind(): Promise<Pagefind> {
  const url = '/pagefind/pagefind.js';
  pagefind ??= import(/* @vite-ignore */ url) as Promise<Pagefind>;
  return pagefind;
}

function loadOperations(): Promise<OperationIndex> {
  operations ??= fetch(OPERATION_INDEX_PATH).then((r) => {
    if (!r.ok) throw new Error(`the operation index answered ${r.status}`);
    return r.json() as Promise<OperationIndex>;
  });
  return operations;
}

/** Starts loading both indexes, so the first keystroke does not wait for them. */
export function preloadSearch(): void {
  void loadPagefind().catch(() => undefined);
  void loadOperations().catch(() => undefined);
}

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text as HTML with the query's words marked: split first, so escaping never meets a mark. */
function highlight(text: string, query: string): string {
  const words = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_-]+/u)
        .filter((w) => w.length >= 2),
    ),
  ];
  if (words.length === 0) return escapeText(text);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  return text
    .split(pattern)
    .map((part, i) => (i % 2 === 1 ? `<mark>${escapeText(part)}</mark>` : escapeText(part)))
    .join('');
}

/**
 * The snippet of a result: an operation page's description (its `description` meta), so it never
 * reads the page's headings and chrome; Pagefind's excerpt for other pages.
 */
function snippetOf(d: PagefindData, query: string): string {
  return d.meta.description ? highlight(d.meta.description, query) : d.excerpt;
}

/**
 * The results for a query, best first, at most `limit`. Pagefind sees the query as words: it splits
 * words on spaces only, and operation pages carry "GET shipments shipmentId" as such words (searchWords).
 */
export async function searchEverything(query: string, limit = 20): Promise<{ results: SearchResult[]; total: number }> {
  const q = query.trim();
  if (!q) return { results: [], total: 0 };
  const [index, pf] = await Promise.all([loadOperations(), loadPagefind()]);
  const words = q.replace(/[/{}]+/g, ' ').trim();
  const found = words ? await pf.search(words) : null;
  const fromPagefind = found ? await Promise.all(found.results.slice(0, limit).map((r) => r.data())) : [];
  const byUrl = new Map(fromPagefind.map((d) => [d.url, d]));
  const exact: SearchResult[] = matchOperations(index, q).map((hit) => {
    const page = byUrl.get(hit.url);
    return {
      url: hit.url,
      title: hit.title,
      api: hit.api,
      version: hit.version,
      method: hit.method,
      path: hit.path,
      excerpt: page ? snippetOf(page, q) : highlight(`operationId ${hit.operationId}`, q),
    };
  });
  const seen = new Set(exact.map((r) => r.url));
  const rest: SearchResult[] = fromPagefind
    .filter((d) => !seen.has(d.url))
    .map((d) => ({ url: d.url, title: d.meta.title ?? d.url, api: d.meta.api, version: d.meta.version, method: d.meta.method, path: d.meta.path, excerpt: snippetOf(d, q) }));
  const results = [...exact, ...rest].slice(0, limit);
  const total = exact.length + (found ? found.results.filter((r, i) => i >= fromPagefind.length || !seen.has(fromPagefind[i]!.url)).length : 0);
  return { results, total };
}

/** A result's labels in one line: "Shipments API · v2 · GET /shipments". */
export function resultLabel(r: SearchResult): string {
  return [r.api, r.version, r.method && r.path ? `${r.method} ${r.path}` : r.method].filter(Boolean).join(' · ');
}
