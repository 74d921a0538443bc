import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { DocPath } from './diagnostics.ts';

/** A 1-based line and column in a file. */
export interface Position {
  line: number;
  column: number;
}

/** One parsed document from a file, able to say where any of its values is. */
export interface SourceDocument {
  /** The plain value (objects, arrays, scalars). */
  value: unknown;
  /** Index of this document within a multi-document YAML file (0 for JSON). */
  index: number;
  /** Position of the value at `path`, or of its deepest existing parent. */
  positionOf(path: DocPath): Position;
}

/** A file's parse failure, placed in the file. */
export interface ParseError {
  message: string;
  position: Position;
}

export interface ParsedFile {
  documents: SourceDocument[];
  errors: ParseError[];
}

/** Parses YAML (multi-document) or JSON text, keeping enough to place diagnostics at line:column. */
export function parseSourceText(text: string, fileName: string): ParsedFile {
  if (/\.json$/i.test(fileName)) return parseJsonText(text);
  return parseYamlText(text);
}

function parseYamlText(text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const documents: SourceDocument[] = [];
  const errors: ParseError[] = [];
  list.forEach((doc, index) => {
    for (const err of doc.errors) {
      const offset = lastContentOffset(text, err.pos[0]);
      const pos = lineCounter.linePos(offset);
      errors.push({ message: explainYamlError(err.code, cleanYamlMessage(err.message), text, offset), position: { line: pos.line, column: pos.col } });
    }
    if (doc.errors.length > 0) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      errors.push({ message: (err as Error).message, position: { line: 1, column: 1 } });
      return;
    }
    if (value === null || value === undefined) return; // an empty document between `---` markers
    documents.push({
      value,
      index,
      positionOf: (path) => yamlPosition(doc, path, lineCounter),
    });
  });
  return { documents, errors };
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

function parseJsonText(text: string): ParsedFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const position = at ? offsetToPosition(text, Number(at[1])) : { line: 1, column: 1 };
    return { documents: [], errors: [{ message: message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, ''), position }] };
  }
  let locator: JsonLocator | undefined;
  return {
    documents: [{ value, index: 0, positionOf: (path) => (locator ??= new JsonLocator(text)).positionOf(path) }],
    errors: [],
  };
}

/**
 * Finds positions of paths in JSON text by scanning, not parsing: it runs only when a position is
 * needed, allocates nothing per value, and remembers every member it passes, so asking for all
 * 1,200 operations of a 13 MB document costs about one pass instead of one pass each.
 */
class JsonLocator {
  private readonly text: string;
  private readonly offsets = new Map<string, number>();
  private readonly scanned = new Set<string>();
  private lineStarts: number[] | undefined;

  constructor(text: string) {
    this.text = text;
  }

  positionOf(path: DocPath): Position {
    return this.toPosition(this.offsetOf(path));
  }

  /** Offset of the key (for an object member) or the value (for an array item) at `path`; of its deepest existing parent otherwise. */
  offsetOf(path: DocPath): number {
    const text = this.text;
    let i = skipWhitespace(text, 0);
    let found = i;
    let prefix = '';
    for (const segment of path) {
      const key = `${prefix}\u0000${String(segment)}`;
      const known = this.offsets.get(key);
      if (known !== undefined) {
        found = known;
        i = this.valueStart(known);
        prefix = key;
        continue;
      }
      const ch = text[i];
      if (ch === '{') {
        // Scan the object's members once, all of them: later lookups of siblings are cache hits.
        if (!this.scanned.has(prefix)) {
          this.scanned.add(prefix);
          let j = skipWhitespace(text, i + 1);
          while (j < text.length && text[j] !== '}') {
            const keyStart = j;
            const keyEnd = skipString(text, j);
            this.offsets.set(`${prefix}\u0000${JSON.parse(text.slice(keyStart, keyEnd)) as string}`, keyStart);
            j = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the colon
            j = skipWhitespace(text, skipValue(text, j));
            if (text[j] === ',') j = skipWhitespace(text, j + 1);
          }
        }
        const member = this.offsets.get(key);
        if (member === undefined) return found;
        found = member;
        i = this.valueStart(member);
      } else if (ch === '[' && typeof segment === 'number') {
        i = skipWhitespace(text, i + 1);
        for (let n = 0; n < segment && i < text.length && text[i] !== ']'; n++) {
          this.offsets.set(`${prefix}\u0000${n}`, i);
          i = skipWhitespace(text, skipValue(text, i));
          if (text[i] === ',') i = skipWhitespace(text, i + 1);
        }
        if (text[i] === ']' || i >= text.length) return found;
        this.offsets.set(key, i);
        found = i;
      } else {
        return found;
      }
      prefix = key;
    }
    return found;
  }

  /** Where the value starts, given the offset of its key (object member) or of itself (array item). */
  private valueStart(offset: number): number {
    if (this.text[offset] !== '"') return offset;
    const afterKey = skipWhitespace(this.text, skipString(this.text, offset));
    if (this.text[afterKey] !== ':') return offset; // an array item that is a string
    return skipWhitespace(this.text, afterKey + 1);
  }

  private toPosition(offset: number): Position {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
}

/** Converts a character offset in `text` to a 1-based line and column. */
export function offsetToPosition(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

function skipString(text: string, i: number): number {
  i++; // opening quote
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length && !',}] \n\r\t'.includes(text[i]!)) i++;
  return i;
}
