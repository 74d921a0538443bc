import { formatDocPath, type DocPath, type SchemaIssue } from './diagnostics.ts';
import { childRole, type NodeRole } from './openapi-literals.ts';
import { closestName } from './schema-issues.ts';
import { isObject } from '../util/is-object.ts';
import { MAX_REF_HOPS, parsePointer, percentDecode } from './local-ref.ts';

// Pointer parsing lives in local-ref.ts beside the resolver; the bundler and the docs import it from here.
export { parsePointer, percentDecode };

/** Says what is wrong with a percent-encoding that does not decode, for a message. */
export function describeBadPercent(text: string): string {
  const stray = /%(?![0-9A-Fa-f]{2})[^/#%]{0,2}/.exec(text)?.[0];
  if (stray) return `"${stray}" is not a percent-encoded byte (write a literal % as %25)`;
  return 'its percent-encoded bytes do not make UTF-8 text';
}

/**
 * Checks every local `$ref` (`#/...`) of a document: that its percent-encoding decodes, that it points
 * at something, and that a chain of `$ref`s ends at a definition. A recursive schema (a `$ref` back
 * to an object that contains it) is valid OpenAPI and passes; only a cycle made of nothing but
 * `$ref`s (A -> B -> A) is reported, once per cycle. Each broken `$ref` is reported at its first use.
 * Iterative, and each object is visited once, so it stays cheap on a 13 MB document.
 */
export function checkLocalRefs(doc: Record<string, unknown>): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const outcomes = new Map<string, RefOutcome>();
  const uses = new Map<string, number>();
  const reportedCycles = new Set<string>();

  const seen = new Set<object>(); // bundled parts and YAML aliases share objects: each is walked once
  const todo: Array<{ node: object; role: NodeRole }> = [{ node: doc, role: 'keywords' }];
  while (todo.length > 0) {
    const { node, role } = todo.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') todo.push({ node: item, role });
      continue;
    }
    const obj = node as Record<string, unknown>;
    const ref = obj.$ref;
    if (typeof ref === 'string' && (ref === '#' || ref.startsWith('#/'))) {
      uses.set(ref, (uses.get(ref) ?? 0) + 1);
      if (!outcomes.has(ref)) outcomes.set(ref, followRef(doc, ref));
    }
    for (const k in obj) {
      const v = obj[k];
      if (v === null || typeof v !== 'object') continue;
      // Example values, defaults, enums and extensions are data: a `$ref` in them is text.
      const next = childRole(role, k, v);
      if (next !== undefined) todo.push({ node: v, role: next });
    }
  }

  const broken = new Set([...outcomes].filter(([, o]) => o.kind === 'bad-encoding' || o.kind === 'dangling').map(([ref]) => ref));
  const where = broken.size > 0 ? firstUses(doc, broken) : new Map<string, DocPath>();
  for (const [ref, outcome] of outcomes) {
    if (outcome.kind === 'ok') continue;
    const count = uses.get(ref)!;
    const others = count === 2 ? '; 1 other $ref uses the same pointer' : count > 2 ? `; ${count - 1} other $refs use the same pointer` : '';
    if (outcome.kind === 'bad-encoding') {
      issues.push({ path: where.get(ref) ?? [], message: `$ref "${ref}" cannot be decoded: ${describeBadPercent(ref)}${others}` });
    } else if (outcome.kind === 'dangling') {
      issues.push({ path: where.get(ref) ?? [], message: `$ref "${ref}" points to nothing: ${outcome.why}${others}` });
    } else if (outcome.kind === 'cycle') {
      const id = [...outcome.members].sort().join('\n');
      if (reportedCycles.has(id)) continue;
      reportedCycles.add(id);
      // Placed where the cycle is written: the `$ref` of its first member.
      const at = [...(parsePointer(outcome.members[0]!.slice(1)) ?? []), '$ref'];
      const loop = [...outcome.members, outcome.members[0]!].join(' -> ');
      issues.push({
        path: at,
        message:
          outcome.members.length === 1
            ? `$ref "${outcome.members[0]}" refers to itself, so it never leads to a definition`
            : `circular $ref: ${loop}; a chain of $refs must end at a definition, and this one goes round in a loop`,
      });
    }
  }
  return issues;
}

/** Where each of `refs` is first used, in document order: one search, run only when some `$ref` is reported. */
function firstUses(doc: object, refs: ReadonlySet<string>): Map<string, DocPath> {
  const found = new Map<string, DocPath>();
  const stack: Array<{ node: object; path: Array<string | number>; role: NodeRole }> = [{ node: doc, path: [], role: 'keywords' }];
  const seen = new Set<object>();
  while (stack.length > 0 && found.size < refs.size) {
    const { node, path, role } = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const ref = Array.isArray(node) ? undefined : (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && refs.has(ref) && !found.has(ref)) found.set(ref, [...path, '$ref']);
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i]!;
      if (v === null || typeof v !== 'object') continue;
      const next = typeof k === 'number' ? role : childRole(role, k, v);
      if (next !== undefined) stack.push({ node: v, path: [...path, k], role: next });
    }
  }
  return found;
}

type RefOutcome = { kind: 'ok' } | { kind: 'bad-encoding' } | { kind: 'dangling'; why: string } | { kind: 'cycle'; members: string[] };

/** Follows a local `$ref`, and the `$ref`s it lands on, until something that is not a `$ref`. */
function followRef(doc: Record<string, unknown>, ref: string): RefOutcome {
  const chain = [ref];
  let current = ref;
  for (;;) {
    const segments = parsePointer(current.slice(1));
    // A broken next hop is reported at its own `$ref`, not at every one that leads to it.
    if (!segments) return current === ref ? { kind: 'bad-encoding' } : { kind: 'ok' };
    const found = lookUp(doc, segments);
    if ('missing' in found) return current === ref ? { kind: 'dangling', why: found.missing } : { kind: 'ok' };
    const next = isObject(found.value) ? found.value.$ref : undefined;
    if (typeof next !== 'string' || !(next === '#' || next.startsWith('#/'))) return { kind: 'ok' };
    const start = chain.indexOf(next);
    if (start !== -1) return { kind: 'cycle', members: chain.slice(start) };
    chain.push(next);
    current = next;
  }
}

/**
 * The value at a pointer. A `$ref` met on the way is followed when the pointer goes on past it
 * (`#/components/schemas/Alias/properties/id`), as bundlers do, so such pointers are not reported;
 * `followed` is shared by the nested look-ups, so `$ref`s that lead into each other end.
 */
function lookUp(doc: Record<string, unknown>, segments: string[], followed = new Set<string>()): { value: unknown } | { missing: string } {
  let node: unknown = doc;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    for (let hops = 0; isObject(node) && !(segment in node) && typeof node.$ref === 'string' && node.$ref.startsWith('#/') && hops < MAX_REF_HOPS; hops++) {
      if (followed.has(node.$ref)) break;
      followed.add(node.$ref);
      const via = parsePointer(node.$ref.slice(1));
      const target = via ? lookUp(doc, via, followed) : undefined;
      if (!target || 'missing' in target) break;
      node = target.value;
    }
    const container = node !== null && typeof node === 'object';
    const has = container && Object.prototype.hasOwnProperty.call(node, Array.isArray(node) ? Number(segment) : segment);
    if (!has) {
      const where = formatDocPath(segments.slice(0, i));
      const subject = where ? `\`${where}\`` : 'the document';
      if (!container) return { missing: `${subject} is ${describeValue(node)}, so it has no \`${segment}\`` };
      const suggestion = Array.isArray(node) ? undefined : closestName(segment, Object.keys(node as object));
      return { missing: `${subject} has no \`${segment}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}` };
    }
    node = (node as Record<string, unknown>)[segment];
  }
  return { value: node };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'not a mapping';
}
