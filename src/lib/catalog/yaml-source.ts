import { Composer, isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, Parser, visit, type CST, type Document, type Node as YamlNode } from 'yaml';
import type { DocPath } from './diagnostics.ts';
import { MAX_ERRORS_PER_DOCUMENT, MAX_NESTING, measureValue, type ParsedFile, type ParseError, type ParseFinding, type Position, type SourceDocument, TOO_DEEP } from './parsed-file.ts';

/** Parses YAML text, one document after another; a document nested too deeply is refused before it is composed. */
export function parseYamlText(text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  // What parseAllDocuments does, in two steps: the parser is iterative, the composer recursive, so
  // a document nested too deeply is refused between them, before it can exhaust the stack.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  for (const token of tokens) {
    const deep = tooDeepOffset(token);
    if (deep !== undefined) return { documents: [], errors: [{ message: TOO_DEEP, position: at(deep) }], findings: [] };
  }
  // logLevel `error`: the yaml package would print its warnings to stderr; the ones that matter are findings here.
  const list = Array.from(new Composer({ uniqueKeys: true, logLevel: 'error' }).compose(tokens));
  const documents: SourceDocument[] = [];
  const errors: ParseError[] = [];
  const findings: ParseFinding[] = [];
  list.forEach((doc, index) => {
    errors.push(...condenseYamlErrors(doc, text, at));
    if (doc.errors.length > 0) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      const message = (err as Error).message;
      errors.push({ message: /call stack/i.test(message) ? TOO_DEEP : message, position: at((doc.contents as YamlNode | null)?.range?.[0] ?? 0) });
      return;
    }
    if (value === null || value === undefined) return; // an empty document between `---` markers
    // Aliases can nest a value deeper than its text does.
    if (measureValue(value, true).tooDeep) {
      errors.push({ message: TOO_DEEP, position: yamlPosition(doc, pathBeyondNesting(value), lineCounter) });
      return;
    }
    if (mayHaveCollectionKeys(text)) findings.push(...collectionKeys(doc, at));
    documents.push({
      value,
      index,
      positionOf: (path) => yamlPosition(doc, path, lineCounter),
    });
  });
  return { documents, errors, findings };
}

/** Offset of the first list or mapping of a YAML syntax tree nested deeper than MAX_NESTING. Iterative. */
function tooDeepOffset(token: CST.Token): number | undefined {
  const tokens: CST.Token[] = [token];
  const depths: number[] = [0];
  while (tokens.length > 0) {
    const t = tokens.pop()!;
    const depth = depths.pop()!;
    if (t.type === 'document') {
      if (t.value) tokens.push(t.value), depths.push(depth);
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth >= MAX_NESTING) return t.offset;
      for (let i = t.items.length - 1; i >= 0; i--) {
        const item = t.items[i]! as CST.CollectionItem;
        if (item.value) tokens.push(item.value), depths.push(depth + 1);
        if (item.key) tokens.push(item.key), depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** The path to the first list or mapping in a value that is nested deeper than MAX_NESTING, to place the message. */
function pathBeyondNesting(value: unknown): DocPath {
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: value, path: [] }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (path.length >= MAX_NESTING) return path;
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ node: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return [];
}

/**
 * The parser's errors for one document, as a person wants them: one line when the nesting exhausted
 * the parser (not one per level), and the first few otherwise, since the rest usually follow from them.
 */
function condenseYamlErrors(doc: Document, text: string, at: (offset: number) => Position): ParseError[] {
  const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
  if (overflow) return [{ message: TOO_DEEP, position: at(lastContentOffset(text, overflow.pos[0])) }];
  const out: ParseError[] = [];
  for (const err of doc.errors.slice(0, MAX_ERRORS_PER_DOCUMENT)) {
    const offset = lastContentOffset(text, err.pos[0]);
    out.push({ message: explainYamlError(err.code, cleanYamlMessage(err.message), text, offset), position: at(offset) });
  }
  const rest = doc.errors.length - MAX_ERRORS_PER_DOCUMENT;
  if (rest > 0) {
    out.push({
      message: `${rest} more YAML problem${rest === 1 ? '' : 's'} follow in this document; they often come from the ones above, so fix those first`,
      position: at(lastContentOffset(text, doc.errors[MAX_ERRORS_PER_DOCUMENT]!.pos[0])),
    });
  }
  return out;
}

/** Only a `?` key, a flow collection or an alias before a colon can make a key that is not a scalar. */
function mayHaveCollectionKeys(text: string): boolean {
  return /(^|\s)\?(\s|$)|[\]}]\s*:|\*[^\s,[\]{}]+\s*:/m.test(text);
}

/**
 * Keys that are lists or mappings: JavaScript objects (and so JSON and OpenAPI) cannot hold them, and the
 * yaml package turns them into text. Reported here instead of the package's warning on stderr.
 */
function collectionKeys(doc: Document, at: (offset: number) => Position): ParseFinding[] {
  const found: ParseFinding[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!isCollection(key) || found.length >= MAX_ERRORS_PER_DOCUMENT) return;
      found.push({
        severity: 'warning',
        position: at((pair.key as YamlNode).range?.[0] ?? 0),
        message: `this key is a ${isSeq(key) ? 'list' : 'mapping'}, which JSON and OpenAPI cannot hold as a key; Portico turns it into text, so use a plain key`,
      });
    },
  });
  return found;
}

/** A parser that noticed a problem at the end of the file reports it on the last line that has content. */
function lastContentOffset(text: string, offset: number): number {
  if (offset < text.trimEnd().length) return offset;
  const end = text.trimEnd().length;
  return Math.max(0, text.lastIndexOf('\n', end - 1) + 1);
}

/** Adds what a person needs to the parser's words: which key is duplicated, and the usual cause. */
function explainYamlError(code: string, message: string, text: string, offset: number): string {
  if (code !== 'DUPLICATE_KEY') return message;
  const key = /^\s*([^:#\n]+?)\s*:/.exec(text.slice(offset, text.indexOf('\n', offset) === -1 ? undefined : text.indexOf('\n', offset)))?.[1];
  return `the key "${key ?? '?'}" appears twice in one mapping (is a \`---\` missing between two documents?)`;
}

/** The yaml package appends a code frame to messages; keep the first line only. */
function cleanYamlMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlPosition(doc: Document, path: DocPath, lineCounter: LineCounter): Position {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const key = pair.key as YamlNode;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
      // A problem with a scalar value is shown at the value itself; with a mapping or list, at its key.
      if (index === path.length - 1 && isScalar(node) && node.range) offset = node.range[0];
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
