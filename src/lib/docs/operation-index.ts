/**
 * The exact operation index: every public operation's method, path and operationId with its page,
 * shipped as one compact JSON file (`/search-index.json`) that the search dialog and the search
 * page consult before Pagefind. Pagefind ranks by word frequency, so "GET /shipments" or an
 * operationId would otherwise come after pages that merely mention them often (issue 15).
 * No imports beyond types: the browser bundle uses `matchOperations` as it is.
 */
import type { DocsSite } from './site.ts';

/** Where the build writes the index, and where the browser fetches it. */
export const OPERATION_INDEX_PATH = '/search-index.json';

/** The file's shape: versions once, then one short row per operation that points at its version. */
export interface OperationIndex {
  /** Format version, bumped when the rows change shape. */
  v: 1;
  /** `[API title, version name, version page URL, 1 when deprecated else 0]`. */
  versions: Array<[string, string, string, 0 | 1]>;
  /** `[index into versions, METHOD, path, operationId, URL segment, summary]`. */
  ops: Array<[number, string, string, string, string, string]>;
}

/** One operation that a query names exactly or by a fragment of its path. */
export interface OperationHit {
  url: string;
  title: string;
  method: string;
  path: string;
  operationId: string;
  api: string;
  version: string;
  deprecated: boolean;
}

/** The index of the public site: its APIs in catalog order, versions newest first, operations in spec order. */
export function buildOperationIndex(site: DocsSite): OperationIndex {
  const index: OperationIndex = { v: 1, versions: [], ops: [] };
  for (const api of site.apis) {
    for (const version of api.versions) {
      const at = index.versions.push([api.api.title, version.version.name, version.href, version.version.deprecated ? 1 : 0]) - 1;
      for (const op of version.operations) {
        index.ops.push([at, op.method.toUpperCase(), op.path, op.operationId, version.operationSlugs.get(op) ?? op.operationId, op.summary ?? '']);
      }
    }
  }
  return index;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);

/** A path compared without case, trailing slash or the names of its parameters: `/a/{id}` is `/a/{}`. */
function normalisePath(path: string): string {
  const p = path
    .trim()
    .toLowerCase()
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\/+/g, '/');
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}

/** How well a path matches a typed path: whole path 3, a run of whole segments 2, a prefix of the last segment 1, else 0. */
function pathMatch(path: string, typed: string): number {
  if (path === typed) return 3;
  const bounded = typed.startsWith('/') ? typed : `/${typed}`;
  const at = path.indexOf(bounded);
  if (at < 0) return 0;
  const after = path.charAt(at + bounded.length);
  return after === '' || after === '/' ? 2 : 1;
}

/**
 * The operations a query names, best first: "METHOD /path" and a path match by their normalised
 * path (parameter names ignored), an operationId by its whole name (any case) or, from three
 * characters, its beginning. Among equals a GET comes first, then a current version before a
 * deprecated one, then catalog order. Free text that names no operation returns nothing: that is
 * Pagefind's part.
 */
export function matchOperations(index: OperationIndex, query: string, limit = 5): OperationHit[] {
  const q = query.trim();
  if (!q) return [];
  const words = q.split(/\s+/);
  const method = words.length > 1 && METHODS.has(words[0]!.toUpperCase()) ? words[0]!.toUpperCase() : undefined;
  const rest = method ? words.slice(1).join('') : q;
  const typedPath = rest.includes('/') || rest.includes('{') ? normalisePath(rest) : undefined;
  const typedId = /\s/.test(rest) ? undefined : rest.toLowerCase();
  const scored: Array<{ row: OperationIndex['ops'][number]; score: number; order: number }> = [];
  index.ops.forEach((row, order) => {
    const [, m, path, operationId] = row;
    if (method && m !== method) return;
    let score = 0;
    if (typedPath) {
      const normal = normalisePath(path);
      const how = pathMatch(normal, typedPath);
      // A whole path beats a run of segments, which beats a partial last segment; shorter paths first among those.
      if (how > 0) score = how * 1000 - Math.min(normal.length, 999);
    }
    if (typedId) {
      const id = operationId.toLowerCase();
      if (id === typedId) score = Math.max(score, 3500);
      else if (typedId.length >= 3 && id.startsWith(typedId)) score = Math.max(score, 1500 - Math.min(id.length, 499));
    }
    if (score === 0) return;
    scored.push({ row, score, order });
  });
  const current = (row: OperationIndex['ops'][number]) => (index.versions[row[0]]?.[3] === 1 ? 0 : 1);
  scored.sort((a, b) => b.score - a.score || Number(b.row[1] === 'GET') - Number(a.row[1] === 'GET') || current(b.row) - current(a.row) || a.order - b.order);
  return scored.slice(0, limit).map(({ row }) => {
    const [at, m, path, operationId, segment, summary] = row;
    const [api, version, href, deprecated] = index.versions[at]!;
    return { url: `${href}operations/${segment}/`, title: summary || `${m} ${path}`, method: m, path, operationId, api, version, deprecated: deprecated === 1 };
  });
}
