import type { DocPath } from './diagnostics.ts';
import { MAX_ERRORS_PER_DOCUMENT, MAX_NESTING, measureValue, offsetToPosition, type ParsedFile, type ParseFinding, type Position, TOO_DEEP } from './parsed-file.ts';

/** Parses JSON text; duplicate keys, which JSON.parse drops silently, become findings. */
export function parseJsonText(text: string): ParsedFile {
  if (text.trim() === '') return { documents: [], errors: [{ message: 'the file is empty, and an empty file is not JSON', position: { line: 1, column: 1 } }], findings: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const position = at ? offsetToPosition(text, Number(at[1])) : { line: 1, column: 1 };
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    return { documents: [], errors: [{ message: printable(reason), position }], findings: [] };
  }
  const shape = measureValue(value, false);
  if (shape.tooDeep) return { documents: [], errors: [{ message: TOO_DEEP, position: offsetToPosition(text, offsetOfDepth(text, MAX_NESTING + 1)) }], findings: [] };
  // JSON.parse keeps the last of two equal keys without a word. Counting keys is cheap; finding them only runs when the counts differ.
  const findings = countKeysInText(text) === shape.keys ? [] : duplicateJsonKeys(text);
  let locator: JsonLocator | undefined;
  return {
    documents: [{ value, index: 0, positionOf: (path) => (locator ??= new JsonLocator(text)).positionOf(path) }],
    errors: [],
    findings,
  };
}

/** Control characters from a binary file do not belong in a message a person reads. */
function printable(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Counts the object keys written in valid JSON text: every unescaped quote followed by a colon. An
 * opening quote of a string that starts with `:` counts too, so the count is never below the real one.
 */
function countKeysInText(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === 92) slashes++;
    if (slashes % 2 === 1) continue;
    let j = i + 1;
    let c = text.charCodeAt(j);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++j);
    if (c === 58) n++;
  }
  return n;
}

/** The keys of valid JSON text that appear twice in one object, each placed at its second appearance. */
function duplicateJsonKeys(text: string): ParseFinding[] {
  const findings: ParseFinding[] = [];
  const objects: Array<Map<string, number> | undefined> = []; // undefined for a list
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = skipString(text, i);
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end)) as string;
        const first = keys.get(key);
        if (first === undefined) keys.set(key, i);
        else if (findings.length < MAX_ERRORS_PER_DOCUMENT) {
          const firstAt = offsetToPosition(text, first);
          findings.push({
            severity: 'error',
            position: offsetToPosition(text, i),
            message: `the key ${JSON.stringify(key)} appears twice in one object (first at line ${firstAt.line}, column ${firstAt.column}); JSON keeps only the last one, so the first is lost`,
          });
        }
        expectKey = false;
      }
      i = end - 1;
    } else if (c === 123) {
      objects.push(new Map());
      expectKey = true;
    } else if (c === 91) {
      objects.push(undefined);
      expectKey = false;
    } else if (c === 125 || c === 93) {
      objects.pop();
      expectKey = false;
    } else if (c === 44) {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return findings;
}

/** Offset of the bracket that opens nesting level `depth` in JSON text (outside strings). */
function offsetOfDepth(text: string, depth: number): number {
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = skipString(text, i) - 1;
    else if (c === 123 || c === 91) {
      if (++level === depth) return i;
    } else if (c === 125 || c === 93) level--;
  }
  return 0;
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
