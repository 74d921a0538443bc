/**
 * What a parsed YAML or JSON file is (documents that can say where each value is, errors, findings),
 * and the limits both parsers keep.
 */
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
  /**
   * The file a value is a verbatim copy of, when it is not in this document: a key of a ConfigMap
   * that kustomize's configMapGenerator made from a file (./applied-sources.ts).
   */
  fileOf?(path: DocPath): string | undefined;
}

/** A file's parse failure, placed in the file. */
export interface ParseError {
  message: string;
  position: Position;
}

/** A problem in a file that was read anyway: something in it was lost or changed on the way. */
export interface ParseFinding extends ParseError {
  severity: 'error' | 'warning';
}

export interface ParsedFile {
  documents: SourceDocument[];
  /** Why a document (or the whole file) could not be read. */
  errors: ParseError[];
  /** What was read anyway but is wrong: bytes that are not UTF-8, duplicate JSON keys, YAML keys that are lists. */
  findings: ParseFinding[];
}

/**
 * How deep lists and mappings may nest. Real documents stay far below (GitHub's 13 MB description
 * reaches 21); the parser and the code after it recurse, and a hostile file of 50,000 `[` must get
 * one clear message rather than exhaust the stack.
 */
export const MAX_NESTING = 256;

/** A file of a few hundred broken lines gets the first few problems, not one line each. */
export const MAX_ERRORS_PER_DOCUMENT = 4;

export const TOO_DEEP = `lists and mappings are nested more than ${MAX_NESTING} levels deep here; Portico reads at most ${MAX_NESTING} levels`;

/**
 * Counts the keys of every object in a value, and tells whether it nests deeper than MAX_NESTING.
 * Iterative, so a deep value cannot exhaust the stack here; `shared` guards against YAML aliases
 * that reuse one value many times.
 */
export function measureValue(value: unknown, shared: boolean): { keys: number; tooDeep: boolean } {
  if (value === null || typeof value !== 'object') return { keys: 0, tooDeep: false };
  const nodes: object[] = [value];
  const depths: number[] = [1];
  const seen = shared ? new Set<object>() : undefined;
  let keys = 0;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > MAX_NESTING) return { keys, tooDeep: true };
    if (seen) {
      if (seen.has(node)) continue;
      seen.add(node);
    }
    if (Array.isArray(node)) {
      for (const item of node) {
        if (item !== null && typeof item === 'object') {
          nodes.push(item as object);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const k in node) {
        keys++;
        const item = (node as Record<string, unknown>)[k];
        if (item !== null && typeof item === 'object') {
          nodes.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
  return { keys, tooDeep: false };
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
