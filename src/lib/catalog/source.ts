/**
 * Reads a file's bytes into documents that know where each value is: decode (UTF-8, reported when
 * it is not), then parse as JSON or YAML by the file's name (./json-source.ts, ./yaml-source.ts).
 */
import { isUtf8 } from 'node:buffer';
import { parseJsonText } from './json-source.ts';
import type { ParsedFile, ParseError, ParseFinding } from './parsed-file.ts';
import { parseYamlText } from './yaml-source.ts';

/** The text of a file, and what was wrong with its bytes. */
export interface DecodedSource {
  text: string;
  /** Set when the bytes are not text Portico reads (UTF-16 or UTF-32): the file is not parsed. */
  unreadable?: ParseError;
  findings: ParseFinding[];
}

/**
 * Decodes a file as UTF-8, the encoding JSON requires and YAML files use. Bytes that are not UTF-8
 * become U+FFFD, as before, but no longer silently: the first one is reported with its byte offset
 * and line, so a Latin-1 `é` in a title does not reach the docs as `�` unnoticed.
 */
export function decodeSourceBytes(bytes: Uint8Array): DecodedSource {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      text,
      unreadable: { message: 'the file is UTF-16 (it starts with a UTF-16 byte order mark); Portico reads YAML and JSON as UTF-8, so save it as UTF-8', position: { line: 1, column: 1 } },
      findings: [],
    };
  }
  if (isUtf8(bytes)) return { text, findings: [] };
  const { first, count } = invalidUtf8(bytes);
  const lineStart = first === 0 ? 0 : bytes.lastIndexOf(0x0a, first - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < first; i = bytes.indexOf(0x0a, i + 1)) line++;
  const column = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, first - lineStart).toString('utf8').length + 1;
  const byte = `0x${bytes[first]!.toString(16).toUpperCase().padStart(2, '0')}`;
  const more = count > 1 ? ` (and ${count - 1} more such byte${count === 2 ? '' : 's'} after it)` : '';
  const guess = looksLatin1(bytes, first) ? ' (it looks like Latin-1 or Windows-1252)' : '';
  return {
    text,
    findings: [
      {
        severity: 'error',
        position: { line, column },
        message: `the file is not valid UTF-8: byte offset ${first} (line ${line}) holds ${byte}${more}, which Portico shows as "\uFFFD"; save the file as UTF-8${guess}`,
      },
    ],
  };
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, and how many such bytes there are. */
function invalidUtf8(b: Uint8Array): { first: number; count: number } {
  let first = -1;
  let count = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    let ok = len > 0 && i + len <= b.length && b[i + 1]! >= lo && b[i + 1]! <= hi;
    for (let k = 2; ok && k < len; k++) ok = b[i + k]! >= 0x80 && b[i + k]! <= 0xbf;
    if (ok) {
      i += len;
      continue;
    }
    if (first === -1) first = i;
    count++;
    i++;
  }
  return { first: Math.max(0, first), count };
}

/** A byte from 0xA0 to 0xFF followed by ASCII is how an accented Latin-1 letter looks when read as UTF-8. */
function looksLatin1(b: Uint8Array, at: number): boolean {
  return b[at]! >= 0xa0 && (b[at + 1] === undefined || b[at + 1]! < 0x80);
}

/** Parses the decoded bytes of a file; what was wrong with the bytes comes first among the findings. */
export function parseDecodedSource(source: DecodedSource, fileName: string): ParsedFile {
  if (source.unreadable) return { documents: [], errors: [source.unreadable], findings: source.findings };
  const parsed = parseSourceText(source.text, fileName);
  return source.findings.length ? { ...parsed, findings: [...source.findings, ...parsed.findings] } : parsed;
}

/** Parses YAML (multi-document) or JSON text, keeping enough to place diagnostics at line:column. */
export function parseSourceText(text: string, fileName: string): ParsedFile {
  if (/\.json$/i.test(fileName)) return parseJsonText(text);
  return parseYamlText(text);
}
