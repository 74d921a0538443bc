import path from 'node:path';
import { ContentRoot } from './content-files.ts';
import type { DocPath, Severity } from './diagnostics.ts';
import { childRole, type NodeRole } from './openapi-literals.ts';
import { describeBadPercent, parsePointer, percentDecode } from './openapi-refs.ts';
import { childKind, type SchemaKind } from './schema-kinds.ts';
import type { ParsedFile, Position } from './parsed-file.ts';
import { decodeSourceBytes, parseDecodedSource } from './source.ts';

/**
 * How much a document may grow when its external `$ref`s are inlined. Each inlined part is shared,
 * not copied, so bundling itself stays cheap, but everything after it (validation, conversion, the
 * cache, the docs, the YAML download) walks the document as a tree: a part used twice on each of
 * 22 levels is 2^22 copies. The whole GitHub REST description is about 260,000 objects and arrays;
 * 500,000 inlined ones already make a 90 MB download that takes 4 s and 1.3 GB to write as YAML.
 */
export const BUNDLE_BUDGET = {
  /** Most objects and arrays the inlined `$ref`s may add to the document, counting every copy. */
  maxInlinedNodes: 500_000,
  /** Deepest nesting of inlined `$ref`s (a part that inlines a part that inlines ...). */
  maxRefDepth: 64,
};

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

/** A file the bundler needed and what became of it. */
type LoadedFile = { status: 'parsed'; parsed: ParsedFile } | { status: 'missing' | 'outside' | 'unreadable'; code?: string };

/** One `$ref` being inlined: the file and pointer it leads to, and how it was reached. */
interface RefFrame {
  key: string;
  file: string;
  pointer: DocPath;
  /** Reached by the `$ref` of the previous frame's value itself, not by one nested inside it. */
  direct: boolean;
}

/**
 * Bundles an OpenAPI document that may span several files, following relative `$ref`s.
 * A `$ref` may not leave the content root (a spec is untrusted input: `../../etc/passwd` is refused),
 * not by its path and not through a symbolic link. Pure apart from reading files below `root`.
 */
export function bundleOpenApiFile(root: string, rootFile: string, preParsed?: ReadonlyMap<string, { text: string; parsed: ParsedFile }>): BundleResult {
  const content = new ContentRoot(root);
  const loaded = new Map<string, LoadedFile>();
  const texts = new Map<string, string>();
  const issues: BundleIssue[] = [];
  const provenance: Provenance[] = [];
  const memo = new Map<string, unknown>();
  const inProgress = new Set<string>();
  const chain: RefFrame[] = [];
  const hoist = new Map<string, string>();
  const hoisted: Record<string, unknown> = {};
  // The budget: objects and arrays inlined so far, counting every copy; the size of each inlined part.
  let inlined = 0;
  const inlinedSize = new Map<string, number>();
  let tooComplex = false;

  const load = (file: string): LoadedFile => {
    const done = loaded.get(file);
    if (done) return done;
    const known = preParsed?.get(file);
    if (known) {
      texts.set(file, known.text);
      const result: LoadedFile = { status: 'parsed', parsed: known.parsed };
      loaded.set(file, result);
      return result; // its parse errors were reported by whoever parsed it
    }
    const read = content.read(file);
    if (!read.ok) {
      const result: LoadedFile = { status: read.reason, code: read.code };
      loaded.set(file, result);
      return result;
    }
    const decoded = decodeSourceBytes(read.bytes);
    texts.set(file, decoded.text);
    const parsed = parseDecodedSource(decoded, file);
    for (const err of parsed.errors) {
      issues.push({ file, position: err.position, path: [], message: `cannot parse ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${err.message}`, severity: 'error' });
    }
    for (const finding of parsed.findings) {
      issues.push({ file, position: finding.position, path: [], message: finding.message, severity: finding.severity });
    }
    const result: LoadedFile = { status: 'parsed', parsed };
    loaded.set(file, result);
    return result;
  };

  const parsedOf = (file: string): ParsedFile | undefined => {
    const l = loaded.get(file);
    return l?.status === 'parsed' ? l.parsed : undefined;
  };
  const positionIn = (file: string, docPath: DocPath): Position => parsedOf(file)?.documents[0]?.positionOf(docPath) ?? { line: 1, column: 1 };

  const rootLoaded = load(rootFile);
  const rootParsed = rootLoaded.status === 'parsed' ? rootLoaded.parsed : undefined;
  const rootValue = rootParsed?.documents[0]?.value;
  const existingSchemas = new Set(Object.keys(((rootValue as any)?.components?.schemas ?? (rootValue as any)?.definitions ?? {}) as object));

  /** A component name for a hoisted schema: its title, else the last segment of its pointer, else its file's name; never one taken. */
  const hoistName = (key: string, title?: unknown): string => {
    const [file, pointer] = key.split('#') as [string, string];
    const fromTitle = typeof title === 'string' ? title.trim() : '';
    const raw = fromTitle || (pointer ? pointer.split('/').filter(Boolean).pop()! : path.basename(file).replace(/\.(ya?ml|json)$/i, ''));
    const base = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'Schema';
    let name = base;
    for (let n = 2; existingSchemas.has(name); n++) name = `${base}${n}`;
    existingSchemas.add(name);
    return name;
  };

  const schemaRefPrefix = (rootValue as any)?.swagger ? '#/definitions/' : '#/components/schemas/';
  const schemasPath = schemaRefPrefix === '#/definitions/' ? ['definitions'] : ['components', 'schemas'];
  /**
   * Root components that are nothing but a `$ref` to another file (`Pet: {$ref: pet.yaml}`): that file
   * is inlined there, under the name its author gave it, and every other use of it links to that name.
   */
  const named = new Map<string, string>();
  const rootSchemas = (schemasPath.reduce<any>((o, k) => o?.[k], rootValue) ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(rootSchemas)) {
    const ref = (schema as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string' || ref.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(ref) || Object.keys(schema as object).length !== 1) continue;
    const [filePart, pointer = ''] = ref.split('#') as [string, string?];
    const decoded = percentDecode(filePart);
    if (decoded === undefined || decoded.startsWith('/')) continue;
    named.set(`${path.posix.normalize(path.posix.join(path.posix.dirname(rootFile), decoded))}#${pointer}`, name);
  }
  const isNamedSite = (bundledPath: string[]): boolean => bundledPath.length === schemasPath.length + 1 && schemasPath.every((k, i) => bundledPath[i] === k);

  /**
   * Resolves a `$ref` to another file. `asSchema`: the `$ref` stands where a Schema Object goes, so the
   * schema is hoisted into components under a name (its title, or its file's) instead of being copied
   * in: `oneOf` options keep their names, and pages stay small.
   */
  const resolveRef = (ref: string, fromFile: string, refPath: DocPath, bundledPath: string[], asSchema = false, kind?: SchemaKind): unknown => {
    const report = (severity: Severity, message: string): void => {
      issues.push({ file: fromFile, position: positionIn(fromFile, [...refPath, '$ref']), path: refPath, severity, message });
    };
    const hash = ref.indexOf('#');
    const filePart = hash === -1 ? ref : ref.slice(0, hash);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
      report('warning', `remote $ref "${ref}" is not followed; bundle the document or keep the referenced file in the repository`);
      return { $ref: ref };
    }
    const decodedPath = percentDecode(filePart);
    if (decodedPath === undefined) {
      report('error', `$ref "${ref}" cannot be decoded: ${describeBadPercent(filePart)}`);
      return {};
    }
    if (decodedPath.startsWith('/')) {
      report('error', `$ref "${ref}" is an absolute path; Portico does not follow it: a $ref names a file relative to its own file, and may not lead outside the content root`);
      return {};
    }
    const target = filePart === '' ? fromFile : path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), decodedPath));
    if (target.startsWith('../') || target === '..' || path.isAbsolute(target)) {
      report('error', `$ref "${ref}" points outside the content root; Portico only reads files inside the repository`);
      return {};
    }
    const pointerPath = parsePointer(pointer);
    if (!pointerPath) {
      report('error', `$ref "${ref}" cannot be decoded: ${describeBadPercent(pointer)}`);
      return {};
    }
    if (target === rootFile) return { $ref: `#${pointer}` };
    const key = `${target}#${pointer}`;
    const namedAs = named.get(key);
    if (namedAs !== undefined && !(isNamedSite(bundledPath) && bundledPath[bundledPath.length - 1] === namedAs)) return { $ref: `${schemaRefPrefix}${namedAs}` };
    if (hoist.has(key) && !inProgress.has(key)) return { $ref: `${schemaRefPrefix}${hoist.get(key)}` };
    if (tooComplex) return {};
    if (memo.has(key)) {
      // Shared, not copied; but every reader after this one walks it once per use.
      inlined += inlinedSize.get(key) ?? 0;
      if (inlined > BUNDLE_BUDGET.maxInlinedNodes) return overBudget(report, ref, tooManyNodes);
      return memo.get(key);
    }
    if (chain.length >= BUNDLE_BUDGET.maxRefDepth)
      return overBudget(report, ref, `its $refs to other files nest more than ${BUNDLE_BUDGET.maxRefDepth} deep (a part that inlines a part that inlines ...)`);
    const top = chain[chain.length - 1];
    const direct = top !== undefined && top.file === fromFile && samePath(top.pointer, refPath);
    if (inProgress.has(key)) {
      // Back to a $ref still being inlined. Through an object that holds it, this is a recursive
      // schema (valid; hoisted into components below). Through nothing but $refs, it never ends.
      const start = chain.findIndex((f) => f.key === key);
      if (direct && chain.slice(start + 1).every((f) => f.direct)) {
        const loop = [...chain.slice(start).map((f) => describeKey(f.key)), describeKey(key)].join(' -> ');
        report('error', `circular $ref: ${loop}; a chain of $refs must end at a definition, and this one goes round in a loop`);
        return {};
      }
      const name = hoist.get(key) ?? hoistName(key);
      hoist.set(key, name);
      return { $ref: `${schemaRefPrefix}${name}` };
    }
    const targetLoaded = load(target);
    if (targetLoaded.status === 'outside') {
      report('error', `$ref "${ref}" points to ${target}, a symbolic link that leads outside the content root; Portico does not follow it`);
      return {};
    }
    if (targetLoaded.status !== 'parsed') {
      report(
        'error',
        targetLoaded.status === 'missing'
          ? `$ref "${ref}" points to ${target}, which does not exist`
          : `$ref "${ref}" points to ${target}, which cannot be read (${targetLoaded.code ?? 'unreadable'})`,
      );
      return {};
    }
    const targetDoc = targetLoaded.parsed.documents[0];
    if (!targetDoc) {
      // A parse error is already reported where it is; an empty file is not.
      if (targetLoaded.parsed.errors.length === 0) report('error', `$ref "${ref}" points to ${target}, which holds nothing (it is empty or only comments)`);
      return {};
    }
    let value: unknown = targetDoc.value;
    for (const segment of pointerPath) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (value === undefined) {
      report('error', `$ref "${ref}": ${target} has nothing at "#${pointer}"`);
      return {};
    }
    // Named before it is walked, so a schema that refers back to itself links to its own name.
    // A file that is nothing but a `$ref` is an alias: the schema it leads to is the one named.
    const alias = value !== null && typeof value === 'object' && Object.keys(value).length === 1 && typeof (value as Record<string, unknown>).$ref === 'string';
    if (asSchema && !alias && value !== null && typeof value === 'object' && !Array.isArray(value)) hoist.set(key, hoistName(key, (value as Record<string, unknown>).title));
    inProgress.add(key);
    chain.push({ key, file: target, pointer: pointerPath, direct });
    if (!hoist.has(key)) provenance.push({ bundledPath, file: target, sourcePath: pointerPath });
    const before = inlined;
    const result = walk(value, target, pointerPath, hoist.has(key) ? [...schemasPath, hoist.get(key)!] : bundledPath, 'keywords', asSchema ? 'schema' : kind);
    chain.pop();
    inProgress.delete(key);
    if (tooComplex) return {};
    inlinedSize.set(key, inlined - before);
    if (inlined > BUNDLE_BUDGET.maxInlinedNodes) return overBudget(report, ref, tooManyNodes);
    if (hoist.has(key)) {
      const name = hoist.get(key)!;
      hoisted[name] = result;
      provenance.push({ bundledPath: [...schemasPath, name], file: target, sourcePath: pointerPath });
      return { $ref: `${schemaRefPrefix}${name}` };
    }
    memo.set(key, result);
    return result;
  };

  const tooManyNodes = `inlining its $refs to other files makes more than ${BUNDLE_BUDGET.maxInlinedNodes.toLocaleString('en')} objects (each use of a part is a full copy, and here parts use other parts again and again)`;
  /** Stops inlining for good: the document is reported once, at the `$ref` where the budget ran out. */
  const overBudget = (report: (severity: Severity, message: string) => void, ref: string, why: string): Record<string, never> => {
    tooComplex = true;
    report(
      'error',
      `this OpenAPI document is too complex: ${why}; the limit was reached at this $ref "${ref}". Portico leaves the document out; keep shared schemas in components/schemas of the main file and use local "#/components/schemas/..." $refs to them, which are not copied`,
    );
    return {};
  };

  const walk = (node: unknown, file: string, srcPath: DocPath, bundledPath: string[], role: NodeRole = 'keywords', kind?: SchemaKind): unknown => {
    if (tooComplex) return node;
    if (chain.length > 0 && node !== null && typeof node === 'object') inlined++;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, file, [...srcPath, i], [...bundledPath, String(i)], role, kind === 'schema-list' ? 'schema' : undefined));
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string' && !(file === rootFile && obj.$ref.startsWith('#'))) {
      const siblings = Object.keys(obj).filter((k) => k !== '$ref');
      // A schema is hoisted into components; with siblings (a description of this use) it is merged here, as before.
      const asSchema = kind === 'schema' && siblings.length === 0 && !isNamedSite(bundledPath);
      const resolved = resolveRef(obj.$ref, file, srcPath, bundledPath, asSchema, kind);
      if (siblings.length === 0 || resolved === null || typeof resolved !== 'object') return resolved;
      const merged: Record<string, unknown> = { ...(resolved as Record<string, unknown>) };
      for (const k of siblings) {
        const next = childRole(role, k, obj[k]);
        merged[k] = next === undefined ? obj[k] : walk(obj[k], file, [...srcPath, k], [...bundledPath, k], next, childKind(kind, k, obj[k]));
      }
      return merged;
    }
    // Fast path: a subtree with no external refs is shared, not copied (keeps a 13 MB spec cheap).
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v === null || typeof v !== 'object') continue;
      // Example values, defaults, enums and extensions are data: a `$ref` in them is text, not a file to read.
      const next = childRole(role, k, v);
      if (next === undefined) continue;
      const w = walk(v, file, [...srcPath, k], [...bundledPath, k], next, childKind(kind, k, v));
      if (w !== v) {
        out ??= { ...obj };
        out[k] = w;
      }
    }
    // A discriminator's mapping names schemas by `$ref` too: one to another file names its hoisted component.
    const discriminator = (out ?? obj).discriminator as { mapping?: Record<string, unknown> } | undefined;
    if (kind === 'schema' && discriminator && typeof discriminator.mapping === 'object' && discriminator.mapping !== null) {
      let mapping: Record<string, unknown> | undefined;
      for (const [value, target] of Object.entries(discriminator.mapping)) {
        if (typeof target !== 'string' || target.startsWith('#') || !/[/.#]/.test(target)) continue; // a bare name is a component name
        const at = [...srcPath, 'discriminator', 'mapping', value];
        const resolved = resolveRef(target, file, at, [...bundledPath, 'discriminator', 'mapping', value], true, 'schema') as { $ref?: unknown } | undefined;
        if (typeof resolved?.$ref === 'string') (mapping ??= { ...discriminator.mapping })[value] = resolved.$ref;
      }
      if (mapping) {
        out ??= { ...obj };
        out.discriminator = { ...discriminator, mapping };
      }
    }
    return out ?? obj;
  };

  let document: Record<string, unknown> | undefined;
  const rootIssue = (message: string): void => {
    issues.push({ file: rootFile, position: { line: 1, column: 1 }, path: [], message, severity: 'error' });
  };
  if (rootLoaded.status === 'missing') rootIssue(`${rootFile} does not exist`);
  else if (rootLoaded.status === 'outside') rootIssue(`${rootFile} is a symbolic link that leads outside the content root, so Portico does not read it`);
  else if (rootLoaded.status === 'unreadable') rootIssue(`cannot read ${rootFile} (${rootLoaded.code ?? 'unreadable'})`);
  else if (rootValue === undefined) {
    // Nothing parsed: either the parse errors say why, or the file holds no document at all.
    if (rootParsed!.errors.length === 0) {
      rootIssue((texts.get(rootFile) ?? '').trim() === '' ? `${rootFile} is empty; it should hold an OpenAPI document` : `${rootFile} holds no OpenAPI document, only comments or an empty value`);
    }
  } else if (rootValue === null || typeof rootValue !== 'object' || Array.isArray(rootValue)) {
    rootIssue('an OpenAPI document must be an object');
  } else {
    const rootText = texts.get(rootFile) ?? '';
    // Most large specs are one self-contained file: skip the walk when no $ref leaves the document.
    document = hasExternalRef(rootText) ? (walk(rootValue, rootFile, [], []) as Record<string, unknown>) : (rootValue as Record<string, unknown>);
    if (Object.keys(hoisted).length > 0) document = withHoistedSchemas(document, hoisted, schemaRefPrefix === '#/definitions/');
    // Half a document would be documented as if it were whole: a document over budget is not used at all.
    if (tooComplex) document = undefined;
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

/** `file#pointer` as a person reads it: just the file when the pointer is the whole file. */
function describeKey(key: string): string {
  return key.endsWith('#') ? key.slice(0, -1) : key;
}

function samePath(a: DocPath, b: DocPath): boolean {
  return a.length === b.length && a.every((seg, i) => String(seg) === String(b[i]));
}

function withHoistedSchemas(doc: Record<string, unknown>, hoisted: Record<string, unknown>, swagger2: boolean): Record<string, unknown> {
  if (swagger2) return { ...doc, definitions: { ...((doc.definitions as object) ?? {}), ...hoisted } };
  const components = (doc.components as Record<string, unknown>) ?? {};
  return { ...doc, components: { ...components, schemas: { ...((components.schemas as object) ?? {}), ...hoisted } } };
}

/**
 * True when the text may contain a `$ref` that is not a local `#...` pointer (YAML or JSON, the key
 * quoted or not). The look-ahead takes the spaces and the quote itself: with them outside it, the
 * pattern could give them back and match a local `$ref: '#/...'` too.
 */
export function hasExternalRef(text: string): boolean {
  return /\$ref['"]?\s*:(?!\s*['"]?#)/.test(text);
}
