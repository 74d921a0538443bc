/**
 * Local `$ref`s (`#/...`, a JSON Pointer into the same document): the one resolver the catalog, the
 * schema checks, the docs and the gateway use, with one limit on how long a chain may be.
 */
import { isObject } from '../util/is-object.ts';

/** How many `$ref`s in a row are followed before giving up: more than any real spec needs. */
export const MAX_REF_HOPS = 32;

/** What following a value's local `$ref`s led to. */
export type LocalRefOutcome =
  /** Not a `$ref`, or the value at the end of a chain of local `$ref`s. */
  | { kind: 'value'; value: unknown }
  /** A `$ref` to another document (or a `#` without a pointer): not followed here. */
  | { kind: 'not-local'; ref: string }
  /** A target that is missing, a broken pointer, a cycle, or a chain longer than MAX_REF_HOPS. */
  | { kind: 'broken'; message: string };

/**
 * Splits the fragment of a `$ref` (a JSON Pointer, RFC 6901, percent-encoded as a URI fragment)
 * into unescaped segments. Undefined when the percent-encoding is broken (`%zz`, `%b`): a spec is
 * untrusted input, and decodeURIComponent would throw.
 */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '' || pointer === '/') return [];
  const segments: string[] = [];
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const decoded = percentDecode(raw, decodeURIComponent);
    if (decoded === undefined) return undefined;
    segments.push(decoded.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return segments;
}

/** Percent-decodes with `decode` (decodeURI or decodeURIComponent); undefined instead of a URIError. */
export function percentDecode(text: string, decode: (s: string) => string = decodeURI): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decode(text);
  } catch {
    return undefined;
  }
}

/**
 * Follows `value`'s `$ref` inside `doc`, and the `$ref` it lands on, until a value that is not a
 * `$ref`. Own members only (`#/constructor` points at nothing), arrays by index. A cycle and a
 * chain longer than MAX_REF_HOPS end with a message instead of looping.
 */
export function followLocalRef(doc: unknown, value: unknown): LocalRefOutcome {
  const chain: string[] = [];
  let current = value;
  while (isObject(current) && typeof current.$ref === 'string') {
    const ref: string = current.$ref;
    if (!ref.startsWith('#/')) return chain.length === 0 ? { kind: 'not-local', ref } : { kind: 'broken', message: `\`${chain.at(-1)}\` leads to \`${ref}\`, which points outside this document` };
    if (chain.includes(ref))
      return { kind: 'broken', message: `the $refs ${[...chain.slice(chain.indexOf(ref)), ref].map((r) => `\`${r}\``).join(' -> ')} lead into each other and never reach a definition` };
    if (chain.length === MAX_REF_HOPS) {
      return { kind: 'broken', message: `the chain of $refs from \`${chain[0]}\` is longer than ${MAX_REF_HOPS}; point the $ref at the definition itself` };
    }
    chain.push(ref);
    const segments = parsePointer(ref.slice(1));
    if (!segments) return { kind: 'broken', message: `\`${ref}\` cannot be decoded: a % in a $ref must start a percent-encoded byte (write a literal % as %25)` };
    let target: unknown = doc;
    for (const [i, segment] of segments.entries()) {
      if (target === null || typeof target !== 'object' || !Object.prototype.hasOwnProperty.call(target, segment)) {
        const parent = i === 0 ? 'the document' : `\`#/${ref.slice(2).split('/').slice(0, i).join('/')}\``;
        return { kind: 'broken', message: `\`${ref}\` points at nothing: ${parent} has no \`${segment}\`` };
      }
      target = (target as Record<string, unknown>)[segment];
    }
    current = target;
  }
  return { kind: 'value', value: current };
}

/**
 * Resolves a local `#/...` reference inside `doc`; returns the object unchanged when it is not a
 * reference, and a `$ref` to another document as it is. Undefined when a local reference cannot be
 * followed (it dangles, its percent-encoding is broken, it is part of a cycle or too long a chain):
 * the loader's $ref check reports those.
 */
export function resolveLocalRef<T = Record<string, unknown>>(doc: unknown, value: unknown): T | undefined {
  const outcome = followLocalRef(doc, value);
  if (outcome.kind === 'broken') return undefined;
  return (outcome.kind === 'value' ? outcome.value : value) as T;
}
