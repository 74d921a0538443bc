import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocPath, Severity } from './diagnostics.ts';
import { parseSourceText, type ParsedFile, type Position } from './source.ts';

/** A problem found while bundling, placed in the file where it is. */
export interface BundleIssue {
  file: string;
  position: Position;
  path: DocPath;
  message: string;
  severity: Severity;
  hint?: string;
}

/** Where a part of the bundled document came from. */
interface Provenance {
  bundledPath: string[];
  file: string;
  sourcePath: DocPath;
}

export interface BundleResult {
  /** The root document with every external `$ref` inlined (or hoisted into components when cyclic). */
  document: Record<string, unknown> | undefined;
  /** Files read, root first; paths relative to the content root. */
  files: string[];
  /** Raw text of each file read, for the content hash. */
  texts: Map<string, string>;
  issues: BundleIssue[];
  /** Maps a path in the bundled document to the file and position it came from. */
  locate(bundledPath: DocPath): { file: string; position: Position };
}

/**
 * Bundles an OpenAPI document that may span several files, following relative `$ref`s.
 * A `$ref` may not leave the content root (a spec is untrusted input: `../../etc/passwd` is refused).
 * Pure apart from reading files below `root`.
 */
export function bundleOpenApiFile(
  root: string,
  rootFile: string,
  preParsed?: ReadonlyMap<string, { text: string; parsed: ParsedFile }>,
): BundleResult {
  const absRoot = path.resolve(root);
  const parsed = new Map<string, ParsedFile | null>();
  const texts = new Map<string, string>();
  const issues: BundleIssue[] = [];
  const provenance: Provenance[] = [];
  const memo = new Map<string, unknown>();
  const inProgress = new Set<string>();
  const hoist = new Map<string, string>();
  const hoisted: Record<string, unknown> = {};

  const load = (file: string): ParsedFile | null => {
    if (parsed.has(file)) return parsed.get(file)!;
    const known = preParsed?.get(file);
    if (known) {
      texts.set(file, known.text);
      parsed.set(file, known.parsed);
      return known.parsed; // its parse errors were reported by whoever parsed it
    }
    let text: string;
    try {
      text = readFileSync(path.join(absRoot, file), 'utf8');
    } catch {
      parsed.set(file, null);
      return null;
    }
    texts.set(file, text);
    const result = parseSourceText(text, file);
    for (const err of result.errors) {
      issues.push({ file, position: err.position, path: [], message: `cannot parse: ${err.message}`, severity: 'error' });
    }
    parsed.set(file, result);
    return result;
  };

  const positionIn = (file: string, docPath: DocPath): Position => parsed.get(file)?.documents[0]?.positionOf(docPath) ?? { line: 1, column: 1 };

  const rootParsed = load(rootFile);
  const rootValue = rootParsed?.documents[0]?.value;
  const existingSchemas = new Set(Object.keys(((rootValue as any)?.components?.schemas ?? (rootValue as any)?.definitions ?? {}) as object));

  const hoistName = (key: string): string => {
    const [file, pointer] = key.split('#') as [string, string];
    const base = pointer ? pointer.split('/').filter(Boolean).pop()! : path.basename(file).replace(/\.(ya?ml|json)$/i, '');
    let name = base.replace(/[^A-Za-z0-9._-]/g, '_') || 'Schema';
    for (let n = 2; existingSchemas.has(name); n++) name = `${base}${n}`;
    existingSchemas.add(name);
    return name;
  };

  const schemaRefPrefix = (rootValue as any)?.swagger ? '#/definitions/' : '#/components/schemas/';

  const resolveRef = (ref: string, fromFile: string, refPath: DocPath, bundledPath: string[]): unknown => {
    const hash = ref.indexOf('#');
    const filePart = hash === -1 ? ref : ref.slice(0, hash);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
      issues.push({
        file: fromFile, position: positionIn(fromFile, [...refPath, '$ref']), path: refPath, severity: 'warning',
        message: `remote $ref "${ref}" is not followed; bundle the document or keep the referenced file in the repository`,
      });
      return { $ref: ref };
    }
    const target = filePart === '' ? fromFile : path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), decodeURI(filePart)));
    if (target.startsWith('../') || target === '..' || path.isAbsolute(target)) {
      issues.push({
        file: fromFile, position: positionIn(fromFile, [...refPath, '$ref']), path: refPath, severity: 'error',
        message: `$ref "${ref}" points outside the content root; Portico only reads files inside the repository`,
      });
      return {};
    }
    if (target === rootFile) return { $ref: `#${pointer}` };
    const key = `${target}#${pointer}`;
    if (hoist.has(key)) return { $ref: `${schemaRefPrefix}${hoist.get(key)}` };
    if (memo.has(key)) return memo.get(key);
    if (inProgress.has(key)) {
      const name = hoistName(key);
      hoist.set(key, name);
      return { $ref: `${schemaRefPrefix}${name}` };
    }
    const targetParsed = load(target);
    if (!targetParsed) {
      issues.push({
        file: fromFile, position: positionIn(fromFile, [...refPath, '$ref']), path: refPath, severity: 'error',
        message: `$ref "${ref}" points to ${target}, which does not exist`,
      });
      return {};
    }
    const targetDoc = targetParsed.documents[0];
    if (!targetDoc) return {}; // its parse error is already reported
    const pointerPath = parsePointer(pointer);
    let value: unknown = targetDoc.value;
    for (const segment of pointerPath) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (value === undefined) {
      issues.push({
        file: fromFile, position: positionIn(fromFile, [...refPath, '$ref']), path: refPath, severity: 'error',
        message: `$ref "${ref}": ${target} has nothing at "#${pointer}"`,
      });
      return {};
    }
    inProgress.add(key);
    provenance.push({ bundledPath, file: target, sourcePath: pointerPath });
    const result = walk(value, target, pointerPath, bundledPath);
    inProgress.delete(key);
    if (hoist.has(key)) {
      const name = hoist.get(key)!;
      hoisted[name] = result;
      provenance.push({ bundledPath: [schemaRefPrefix === '#/definitions/' ? 'definitions' : 'components', ...(schemaRefPrefix === '#/definitions/' ? [] : ['schemas']), name], file: target, sourcePath: pointerPath });
      return { $ref: `${schemaRefPrefix}${name}` };
    }
    memo.set(key, result);
    return result;
  };

  const walk = (node: unknown, file: string, srcPath: DocPath, bundledPath: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, file, [...srcPath, i], [...bundledPath, String(i)]));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string' && !(file === rootFile && obj.$ref.startsWith('#'))) {
      const resolved = resolveRef(obj.$ref, file, srcPath, bundledPath);
      const siblings = Object.keys(obj).filter((k) => k !== '$ref');
      if (siblings.length === 0 || resolved === null || typeof resolved !== 'object') return resolved;
      const merged: Record<string, unknown> = { ...(resolved as Record<string, unknown>) };
      for (const k of siblings) merged[k] = walk(obj[k], file, [...srcPath, k], [...bundledPath, k]);
      return merged;
    }
    // Fast path: a subtree with no external refs is shared, not copied (keeps a 13 MB spec cheap).
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v === null || typeof v !== 'object') continue;
      const w = walk(v, file, [...srcPath, k], [...bundledPath, k]);
      if (w !== v) {
        out ??= { ...obj };
        out[k] = w;
      }
    }
    return out ?? obj;
  };

  let document: Record<string, unknown> | undefined;
  if (!rootParsed) {
    issues.push({ file: rootFile, position: { line: 1, column: 1 }, path: [], message: `${rootFile} does not exist`, severity: 'error' });
  } else if (rootValue !== undefined) {
    if (rootValue === null || typeof rootValue !== 'object' || Array.isArray(rootValue)) {
      issues.push({ file: rootFile, position: { line: 1, column: 1 }, path: [], message: 'an OpenAPI document must be an object', severity: 'error' });
    } else {
      const rootText = texts.get(rootFile) ?? '';
      // Most large specs are one self-contained file: skip the walk when no $ref leaves the document.
      document = hasExternalRef(rootText) ? (walk(rootValue, rootFile, [], []) as Record<string, unknown>) : (rootValue as Record<string, unknown>);
      if (Object.keys(hoisted).length > 0) document = withHoistedSchemas(document, hoisted, schemaRefPrefix === '#/definitions/');
    }
  }

  const locate = (bundledPath: DocPath): { file: string; position: Position } => {
    const asStrings = bundledPath.map(String);
    let best: Provenance | undefined;
    for (const p of provenance) {
      if (p.bundledPath.length > asStrings.length || (best && p.bundledPath.length <= best.bundledPath.length)) continue;
      if (p.bundledPath.every((seg, i) => seg === asStrings[i])) best = p;
    }
    if (!best) return { file: rootFile, position: positionIn(rootFile, bundledPath) };
    const rest = bundledPath.slice(best.bundledPath.length);
    return { file: best.file, position: positionIn(best.file, [...best.sourcePath, ...rest]) };
  };

  return { document, files: [...texts.keys()], texts, issues, locate };
}

function withHoistedSchemas(doc: Record<string, unknown>, hoisted: Record<string, unknown>, swagger2: boolean): Record<string, unknown> {
  if (swagger2) return { ...doc, definitions: { ...((doc.definitions as object) ?? {}), ...hoisted } };
  const components = (doc.components as Record<string, unknown>) ?? {};
  return { ...doc, components: { ...components, schemas: { ...((components.schemas as object) ?? {}), ...hoisted } } };
}

/** True when the text may contain a `$ref` that is not a local `#...` pointer. */
function hasExternalRef(text: string): boolean {
  return /\$ref['"]?\s*:\s*['"]?(?!#)/.test(text);
}

/** Splits a JSON Pointer (RFC 6901) into unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}
