import type { OpenApiObject } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { componentName, localRefTarget } from './schema-tree.ts';
import { isObject } from '../util/is-object.ts';

const SAMPLE_STRINGS: Record<string, string> = {
  'date-time': '2026-01-15T09:30:00Z',
  date: '2026-01-15',
  time: '09:30:00',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'U3dhZ2dlcg==',
  password: '********',
};

/**
 * Most schema nodes one generated example visits. Depth alone does not bound it: a schema inlined
 * from another file with fifty properties per level is 50^8 nodes at depth 8.
 */
export const MAX_EXAMPLE_NODES = 2_000;

/**
 * An example value for a schema when the spec gives none: authored `example`/`examples`/`default`
 * first, then one made from the types. Recursion stops at the first repeat of a component, at
 * depth 8, and after `budget.nodes` schema nodes (what is left out is simply not in the example).
 */
export function exampleFromSchema(doc: OpenApiObject, schema: unknown, stack: string[] = [], depth = 0, budget = { nodes: MAX_EXAMPLE_NODES }): unknown {
  if (!isObject(schema) || depth > 8 || --budget.nodes < 0) return undefined;
  const name = componentName(schema.$ref);
  if (name !== undefined) {
    if (stack.includes(name)) return undefined;
    const target = resolveLocalRef(doc, schema);
    let value = exampleFromSchema(doc, target, [...stack, name], depth + 1, budget);
    // Dog is `allOf: [Pet, ...]` and Pet's discriminator maps `dog` to Dog: a Dog says `pet_type: dog`.
    // A copy: an authored example is the document's own object.
    if (isObject(value) && isObject(target) && Array.isArray(target.allOf)) {
      for (const part of target.allOf) {
        const parent = isObject(part) ? resolveLocalRef<OpenApiObject>(doc, part) : undefined;
        const tag = isObject(parent) ? discriminatorValue(parent.discriminator, schema.$ref as string) : undefined;
        if (tag) value = { ...(value as OpenApiObject), [tag.propertyName]: tag.value };
      }
    }
    return value;
  }
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    // A pointer elsewhere in the document (a parameter's or another operation's schema).
    if (stack.includes(schema.$ref)) return undefined;
    return exampleFromSchema(doc, localRefTarget(doc, schema.$ref), [...stack, schema.$ref], depth + 1, budget);
  }
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((p) => exampleFromSchema(doc, p, stack, depth + 1, budget));
    const merged = parts.filter(isObject).reduce<OpenApiObject>((acc, p) => ({ ...acc, ...p }), {});
    const own = schema.properties ? exampleFromSchema(doc, { ...schema, allOf: undefined }, stack, depth + 1, budget) : undefined;
    return { ...merged, ...(isObject(own) ? own : {}) };
  }
  for (const kind of ['oneOf', 'anyOf'] as const) {
    const list = schema[kind];
    if (!Array.isArray(list) || list.length === 0) continue;
    const value = exampleFromSchema(doc, list[0], stack, depth + 1, budget);
    // The discriminator says which value picks the first option: `pet_type: dog`, not `"string"`.
    const tag = isObject(list[0]) && typeof list[0].$ref === 'string' ? discriminatorValue(schema.discriminator, list[0].$ref) : undefined;
    return isObject(value) && tag ? { ...value, [tag.propertyName]: tag.value } : value;
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]).filter((t) => t !== 'null') : [schema.type as string | undefined];
  const type = types[0] ?? (schema.properties ? 'object' : schema.items ? 'array' : undefined);
  switch (type) {
    case 'object': {
      const out: OpenApiObject = {};
      for (const [key, value] of Object.entries((schema.properties as OpenApiObject | undefined) ?? {})) {
        const v = exampleFromSchema(doc, value, stack, depth + 1, budget);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    case 'array': {
      const item = exampleFromSchema(doc, schema.items, stack, depth + 1, budget);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return SAMPLE_STRINGS[String(schema.format)] ?? (typeof schema.pattern === 'string' || typeof schema.minLength === 'number' ? 'string' : 'string');
    case 'integer':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0.0;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}

/**
 * The value of a discriminator's property that selects the schema at `ref`: the `mapping` key that
 * names it, else (as the specification says) the schema's component name. Undefined without a
 * discriminator, or when the mapping lists other schemas only.
 */
function discriminatorValue(discriminator: unknown, ref: string): { propertyName: string; value: string } | undefined {
  if (!isObject(discriminator) || typeof discriminator.propertyName !== 'string') return undefined;
  const name = componentName(ref);
  const index = mappingIndex(discriminator);
  // The first mapping entry whose target is the ref itself, the component's name, or a ref to that component.
  const at = Math.min(index.byTarget.get(ref) ?? Infinity, name !== undefined ? Math.min(index.byTarget.get(name) ?? Infinity, index.byComponent.get(name) ?? Infinity) : Infinity);
  const mapped = index.entries[at];
  if (mapped) return { propertyName: discriminator.propertyName, value: mapped[0] };
  return name !== undefined ? { propertyName: discriminator.propertyName, value: name } : undefined;
}

const mappingIndexes = new WeakMap<OpenApiObject, { entries: Array<[string, unknown]>; byTarget: Map<unknown, number>; byComponent: Map<string, number> }>();

/**
 * A discriminator's mapping indexed by target and by the component a target names, once per
 * discriminator: Microsoft Graph's `entity` maps about 3,000 types, and every generated example of
 * one of them scanned the whole mapping (55 s of its build, issue 18).
 */
function mappingIndex(discriminator: OpenApiObject) {
  let index = mappingIndexes.get(discriminator);
  if (!index) {
    const entries = isObject(discriminator.mapping) ? Object.entries(discriminator.mapping) : [];
    const byTarget = new Map<unknown, number>();
    const byComponent = new Map<string, number>();
    entries.forEach(([, target], i) => {
      if (!byTarget.has(target)) byTarget.set(target, i);
      const component = componentName(target);
      if (component !== undefined && !byComponent.has(component)) byComponent.set(component, i);
    });
    index = { entries, byTarget, byComponent };
    mappingIndexes.set(discriminator, index);
  }
  return index;
}

/** One example of a media type: authored ones by name, else a generated one. */
/**
 * The example an object gives (a media type, a header, a parameter: `example`, else its first
 * `examples` entry), else one made from its schema: what samples, Try it and the demo upstream send.
 */
export function exampleOf(doc: OpenApiObject, holder: unknown): unknown {
  if (!isObject(holder)) return undefined;
  if (holder.example !== undefined) return holder.example;
  if (isObject(holder.examples)) {
    const first = resolveLocalRef<OpenApiObject>(doc, Object.values(holder.examples)[0]);
    if (isObject(first) && first.value !== undefined) return first.value;
  }
  return exampleFromSchema(doc, holder.schema);
}

export interface MediaExample {
  name: string;
  summary?: string;
  /** Pretty JSON (or the text itself for non-JSON values). */
  text: string;
  generated: boolean;
  /** The example was longer than the page shows; the full one is in the spec download. */
  truncated: boolean;
}

/** Examples for a media type object: its `example`, its `examples`, else one generated from its schema. */
export function mediaExamples(doc: OpenApiObject, media: OpenApiObject, maxChars = 4000): MediaExample[] {
  const out: MediaExample[] = [];
  const show = (name: string, value: unknown, generated: boolean, summary?: string) => {
    const full = typeof value === 'string' ? value : prettyJsonWithin(value, maxChars);
    const truncated = full.length > maxChars;
    out.push({ name, summary, generated, truncated, text: truncated ? `${full.slice(0, maxChars)}\n…` : full });
  };
  if (media.example !== undefined) show('example', media.example, false);
  if (isObject(media.examples)) {
    for (const [name, raw] of Object.entries(media.examples)) {
      const ex = resolveLocalRef<OpenApiObject>(doc, raw);
      if (isObject(ex) && ex.value !== undefined) show(name, ex.value, false, typeof ex.summary === 'string' ? ex.summary : undefined);
      else if (isObject(ex) && typeof ex.externalValue === 'string') show(name, ex.externalValue, false, 'external example');
    }
  }
  if (out.length === 0 && media.schema !== undefined) {
    const value = exampleFromSchema(doc, media.schema);
    if (value !== undefined) show('generated', value, true);
  }
  return out;
}

/**
 * `JSON.stringify(value, null, 2)`, stopped soon after `maxChars` characters: the page shows only the
 * start of an example, and an authored example inlined from other files may be millions of nodes.
 */
export function prettyJsonWithin(value: unknown, maxChars: number): string {
  let text = '';
  for (const chunk of jsonChunks(value, '')) {
    text += chunk;
    if (text.length > maxChars) break;
  }
  return text;
}

/** The pieces of pretty-printed JSON, produced lazily so the caller can stop early. */
function* jsonChunks(value: unknown, indent: string): Generator<string> {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(): unknown }).toJSON();
  if (value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return void (yield '[]');
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      const item = value[i];
      yield* jsonChunks(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) return void (yield '{}');
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i]!;
    yield `${i > 0 ? ',' : ''}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonChunks(item, inner);
  }
  yield `\n${indent}}`;
}
