import type { OpenApiObject } from '../catalog/model.ts';
import { parsePointer, percentDecode } from '../catalog/openapi-refs.ts';
import { renderMarkdown } from './markdown.ts';
import { isObject } from '../util/is-object.ts';

/** One node of a schema as a reader sees it: a property (or the root) with its type in words. */
export interface SchemaNode {
  /** Property name; absent for the root and for variants. */
  name?: string;
  required?: boolean;
  /** The type in words: `string<date-time>`, `array of Parcel`, `integer | null`. */
  type: string;
  /** The component this node comes from, when it was a `$ref` to `#/components/schemas/X`. */
  ref?: string;
  /** The schema's own `title`: the name an inline schema goes by (a oneOf option, a parameter's alternative). */
  title?: string;
  /** Sanitised HTML. */
  description?: string;
  /** Constraints in words: `1 to 64 characters`, `≥ 0`, `pattern ^[A-Z]{2}$`. */
  constraints: string[];
  enum?: string[];
  default?: string;
  example?: string;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  /** Object properties, or the properties of the array's items. */
  children?: SchemaNode[];
  /** oneOf / anyOf alternatives, with the discriminator when the spec declares one. */
  variants?: { kind: 'oneOf' | 'anyOf'; discriminator?: { propertyName: string; mapping: Array<{ value: string; schema: string }> }; options: SchemaNode[] };
  /** Components this node combines through allOf. */
  allOf?: string[];
  /** The schema refers to one of its ancestors: shown as a link, not expanded again. */
  recursive?: boolean;
  /** Not expanded here (size budget); a named component's schema page shows it in full. */
  collapsed?: boolean;
}

/** How far a tree may grow: large APIs nest the same objects hundreds of times. */
export interface TreeOptions {
  /** Most nodes in one tree; beyond it, referenced components are linked, not expanded. */
  maxNodes?: number;
  /** Deepest nesting of referenced components that is expanded inline. */
  maxRefDepth?: number;
  /** Most nodes counting inline schemas, below TREE_BUDGET.maxTotalNodes; beyond it, nodes show their type only. */
  maxTotalNodes?: number;
}

/**
 * Hard limits on every tree, whatever the options: past `maxNodes` only `$ref`s stop being expanded,
 * but a schema inlined from another file has no name to link to, and a document may nest such
 * schemas (each one using the last twice) until the tree has millions of nodes.
 */
export const TREE_BUDGET = {
  /** Most nodes in one tree, counting inline schemas; beyond it, nodes show their type only. */
  maxTotalNodes: 2_000,
  /** Deepest nesting shown; deeper schemas show their type only. */
  maxDepth: 32,
  /** Most allOf parts merged for one node, nested allOf parts included. */
  maxAllOfParts: 200,
};

const COMPONENT_PREFIX = '#/components/schemas/';

/** The component name behind a `$ref`, or undefined for other refs (and for pointers into a component). */
export function componentName(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || !ref.startsWith(COMPONENT_PREFIX)) return undefined;
  const rest = ref.slice(COMPONENT_PREFIX.length);
  if (rest === '' || rest.includes('/')) return undefined;
  const decoded = percentDecode(rest, decodeURIComponent);
  return decoded === undefined ? undefined : decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The value a local `$ref` points to, anywhere in the document (a schema in a path item, a parameter,
 * another operation's response), one hop: `$ref`s met on the way are followed, as bundlers do.
 */
export function localRefTarget(doc: OpenApiObject, ref: unknown): unknown {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  const segments = parsePointer(ref.slice(1));
  if (!segments) return undefined;
  let node: unknown = doc;
  for (const segment of segments) {
    for (let hops = 0; isObject(node) && !(segment in node) && typeof node.$ref === 'string' && hops < 8; hops++) node = localRefTarget(doc, node.$ref);
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Builds the tree a reader sees for `schema`, resolving `$ref`s within `doc`, with recursion and size handled. */
export function buildSchemaTree(doc: OpenApiObject, schema: unknown, options: TreeOptions = {}): SchemaNode {
  const state = {
    doc,
    nodes: 0,
    maxNodes: options.maxNodes ?? 250,
    maxRefDepth: options.maxRefDepth ?? 3,
    maxTotalNodes: Math.min(options.maxTotalNodes ?? TREE_BUDGET.maxTotalNodes, TREE_BUDGET.maxTotalNodes),
  };
  return walk(state, schema, [], 0, 0);
}

interface State {
  doc: OpenApiObject;
  nodes: number;
  maxNodes: number;
  maxRefDepth: number;
  maxTotalNodes: number;
}

function components(doc: OpenApiObject): Record<string, unknown> {
  return ((doc.components as OpenApiObject | undefined)?.schemas as Record<string, unknown> | undefined) ?? {};
}

function walk(state: State, raw: unknown, stack: string[], refDepth: number, depth: number): SchemaNode {
  state.nodes++;
  if (raw === true || raw === undefined) return { type: 'any', constraints: [] };
  if (raw === false) return { type: 'never', constraints: [] };
  if (!isObject(raw)) return { type: 'any', constraints: [] };
  const name = componentName(raw.$ref);
  if (name !== undefined) {
    const target = components(state.doc)[name];
    if (stack.includes(name)) return { type: typeLabel(state, target), ref: name, recursive: true, constraints: [] };
    if (refDepth >= state.maxRefDepth || state.nodes > state.maxNodes) {
      return {
        type: typeLabel(state, target),
        ref: name,
        collapsed: true,
        constraints: [],
        description: isObject(target) ? renderMarkdown(target.description as string | undefined) || undefined : undefined,
      };
    }
    // 3.1 allows siblings next to $ref: they describe this use, so they win over the component's.
    const { $ref: _ref, ...siblings } = raw;
    const node = walk(state, isObject(target) ? { ...target, ...siblings } : target, [...stack, name], refDepth + 1, depth);
    return { ...node, ref: name };
  }
  if (typeof raw.$ref === 'string' && raw.$ref.startsWith('#/')) {
    // A pointer elsewhere in the document: shown in place, since it has no schema page to link to.
    const ref = raw.$ref;
    const target = localRefTarget(state.doc, ref);
    if (stack.includes(ref)) return { type: typeLabel(state, target), recursive: true, constraints: [] };
    const { $ref: _ref, ...siblings } = raw;
    if (refDepth >= state.maxRefDepth || state.nodes > state.maxNodes) return { type: typeLabel(state, target), collapsed: true, constraints: [] };
    return walk(state, isObject(target) ? { ...target, ...siblings } : target, [...stack, ref], refDepth + 1, depth);
  }
  const node: SchemaNode = { type: typeLabel(state, raw), constraints: constraints(raw) };
  if (depth >= TREE_BUDGET.maxDepth || state.nodes > state.maxTotalNodes) return { ...node, collapsed: true };
  if (typeof raw.title === 'string' && raw.title.trim()) node.title = raw.title.trim();
  if (raw.description) node.description = renderMarkdown(String(raw.description));
  if (Array.isArray(raw.enum)) node.enum = raw.enum.map((v) => JSON.stringify(v));
  if (raw.const !== undefined) node.enum = [JSON.stringify(raw.const)];
  if (raw.default !== undefined) node.default = JSON.stringify(raw.default);
  const example = raw.example ?? (Array.isArray(raw.examples) ? raw.examples[0] : undefined);
  if (example !== undefined && (typeof example !== 'object' || example === null)) node.example = JSON.stringify(example);
  if (raw.deprecated === true) node.deprecated = true;
  if (raw.readOnly === true) node.readOnly = true;
  if (raw.writeOnly === true) node.writeOnly = true;

  // allOf: the reader wants one list of properties, plus the names of what was combined.
  let merged: OpenApiObject = raw;
  if (Array.isArray(raw.allOf)) {
    const parts = raw.allOf.map((p) => ({ name: componentName((p as OpenApiObject)?.$ref), schema: resolve(state, p) }));
    node.allOf = parts.map((p) => p.name).filter((n): n is string => !!n);
    const recursiveParts = parts.filter((p) => p.name && stack.includes(p.name));
    merged = mergeAllOf([...parts.filter((p) => !recursiveParts.includes(p)).map((p) => p.schema), { ...raw, allOf: undefined }], { parts: TREE_BUDGET.maxAllOfParts });
    if (node.type === 'any') node.type = typeLabel(state, merged);
    stack = [...stack, ...node.allOf];
  }

  const properties = isObject(merged.properties) ? merged.properties : undefined;
  if (properties) {
    const required = new Set(Array.isArray(merged.required) ? (merged.required as string[]) : []);
    node.children = Object.entries(properties).map(([key, value]) => ({ ...walk(state, value, stack, refDepth, depth + 1), name: key, required: required.has(key) }));
  }
  if (isObject(merged.additionalProperties)) {
    node.children = [...(node.children ?? []), { ...walk(state, merged.additionalProperties, stack, refDepth, depth + 1), name: '{any key}' }];
  }
  if (merged.items !== undefined && !properties) {
    const items = walk(state, merged.items, stack, refDepth, depth + 1);
    if (items.children) node.children = items.children;
    if (items.variants) node.variants = items.variants;
    if (items.recursive) node.recursive = true;
    if (items.collapsed) node.collapsed = true;
    if (items.ref && !node.ref) node.ref = items.ref;
  }
  for (const kind of ['oneOf', 'anyOf'] as const) {
    const list = merged[kind];
    if (!Array.isArray(list)) continue;
    const disc = isObject(merged.discriminator) ? merged.discriminator : undefined;
    node.variants = {
      kind,
      discriminator: disc
        ? {
            propertyName: String(disc.propertyName),
            mapping: Object.entries((disc.mapping as Record<string, string>) ?? {}).map(([value, ref]) => ({ value, schema: componentName(ref) ?? ref })),
          }
        : undefined,
      options: list.map((option) => walk(state, option, stack, refDepth, depth + 1)),
    };
  }
  return node;
}

function resolve(state: State, value: unknown, depth = 0): OpenApiObject {
  if (!isObject(value)) return {};
  if (typeof value.$ref !== 'string' || depth > 10) return value;
  const name = componentName(value.$ref);
  return resolve(state, name !== undefined ? components(state.doc)[name] : localRefTarget(state.doc, value.$ref), depth + 1);
}

/**
 * Merges allOf parts into one schema: properties and required lists are joined, the rest is taken
 * from the first part that has it. `budget` is shared by the nested merges: inlined allOf parts that
 * each combine the previous one twice would otherwise be merged 2^n times.
 */
function mergeAllOf(parts: OpenApiObject[], budget: { parts: number }): OpenApiObject {
  const out: OpenApiObject = {};
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    if (--budget.parts < 0) break;
    const flat = Array.isArray(part.allOf) ? mergeAllOf(part.allOf.filter(isObject), budget) : part;
    for (const [k, v] of Object.entries(flat)) {
      if (k === 'properties' && isObject(v)) {
        // The same property in two parts (a base and a refinement) is one property: keep both parts' keywords.
        for (const [name, schema] of Object.entries(v)) properties[name] = isObject(properties[name]) && isObject(schema) ? { ...(properties[name] as OpenApiObject), ...schema } : schema;
      } else if (k === 'required' && Array.isArray(v)) required.push(...(v as string[]));
      else if (k !== 'allOf' && v !== undefined && out[k] === undefined) out[k] = v;
    }
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.length > 0) out.required = [...new Set(required)];
  return out;
}

/** The type of a schema in words, following refs for names: `array of Parcel`, `string<uuid> | null`. */
export function typeLabel(state: Pick<State, 'doc'>, raw: unknown, hops = 0): string {
  if (!isObject(raw)) return 'any';
  const name = componentName(raw.$ref);
  if (name !== undefined) {
    const target = components(state.doc)[name];
    const inner = isObject(target) ? baseType(target) : undefined;
    return inner && inner !== 'object' ? inner : name;
  }
  if (typeof raw.$ref === 'string' && raw.$ref.startsWith('#/')) return hops < 8 ? typeLabel(state, localRefTarget(state.doc, raw.$ref), hops + 1) : 'any';
  if (raw.type === 'array' || (raw.items !== undefined && raw.type === undefined)) {
    const items = raw.items as OpenApiObject | undefined;
    const itemName = componentName(items?.$ref);
    return `array of ${itemName ?? (items && hops < 8 ? typeLabel(state, items, hops + 1) : 'any')}`;
  }
  return baseType(raw) ?? 'any';
}

function baseType(raw: OpenApiObject): string | undefined {
  const types = Array.isArray(raw.type) ? (raw.type as string[]) : typeof raw.type === 'string' ? [raw.type] : [];
  // Binary content: 3.0's `type: string, format: binary` is upgraded to a bare `contentMediaType` (no type left).
  if (typeof raw.contentMediaType === 'string' && raw.contentEncoding === undefined && types.every((t) => t === 'string' || t === 'null')) {
    return [fileType(raw.contentMediaType), ...types.filter((t) => t === 'null')].join(' | ');
  }
  const format = typeof raw.format === 'string' ? `<${raw.format}>` : typeof raw.contentEncoding === 'string' ? `<${raw.contentEncoding}>` : '';
  if (types.length > 0) return types.map((t) => (t === 'null' ? 'null' : `${t}${format}`)).join(' | ');
  if (raw.properties || raw.additionalProperties) return 'object';
  if (Array.isArray(raw.oneOf)) return 'one of';
  if (Array.isArray(raw.anyOf)) return 'any of';
  if (Array.isArray(raw.allOf)) return 'object';
  if (raw.const !== undefined) return typeof raw.const;
  if (Array.isArray(raw.enum)) return typeof raw.enum[0];
  return undefined;
}

/** A file upload or download in words: `file (media type image/png)`. */
export function fileType(mediaType: string): string {
  return `file (media type ${mediaType})`;
}

/** A schema's validation keywords in words. */
export function constraints(raw: OpenApiObject): string[] {
  const out: string[] = [];
  const n = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    if (min !== undefined && max !== undefined) out.push(min === max ? `exactly ${min} ${unit}` : `${min} to ${max} ${unit}`);
    else if (min !== undefined) out.push(`at least ${min} ${unit}`);
    else if (max !== undefined) out.push(`at most ${max} ${unit}`);
  };
  range(n('minLength'), n('maxLength'), 'characters');
  range(n('minItems'), n('maxItems'), 'items');
  range(n('minProperties'), n('maxProperties'), 'properties');
  if (n('minimum') !== undefined) out.push(`≥ ${n('minimum')}`);
  if (n('exclusiveMinimum') !== undefined) out.push(`> ${n('exclusiveMinimum')}`);
  if (n('maximum') !== undefined) out.push(`≤ ${n('maximum')}`);
  if (n('exclusiveMaximum') !== undefined) out.push(`< ${n('exclusiveMaximum')}`);
  if (n('multipleOf') !== undefined) out.push(`multiple of ${n('multipleOf')}`);
  if (typeof raw.pattern === 'string') out.push(`pattern ${raw.pattern}`);
  if (raw.uniqueItems === true) out.push('unique items');
  return out;
}
