import { createHash } from 'node:crypto';
import type { OpenApiObject } from '../catalog/model.ts';
import { mediaExamples, prettyJsonWithin, type MediaExample } from './example.ts';
import { buildSchemaTree, type SchemaNode, type TreeOptions } from './schema-tree.ts';
import { isObject } from '../util/is-object.ts';

/** A request or response body in one media type, or in several that share one schema. */
export interface MediaView {
  /** The first media type; `mediaTypes` lists all that share this schema. */
  mediaType: string;
  mediaTypes: string[];
  tree?: SchemaNode;
  /** The same schema is shown in full earlier on the page: `tree` is its root line only. */
  sameAs?: { label: string; anchor: string };
  examples: MediaExample[];
  /** Identifies the schema, to find the same one elsewhere on the page. */
  schemaKey?: string;
}

/** Media types whose body is structured text: an empty schema there means "anything", not a file. */
const STRUCTURED = /json|xml|yaml|text\/|form-urlencoded|multipart\//i;

/**
 * The schema a body's media type implies when it says nothing more: the 3.0→3.1 upgrade turns
 * `schema: {type: string, format: binary}` under `image/png` into `schema: {}`, because the media type
 * already says what the bytes are.
 */
function bodySchema(mediaType: string, schema: unknown): unknown {
  const empty = schema === undefined || (isObject(schema) && Object.keys(schema).length === 0);
  if (empty && !STRUCTURED.test(mediaType) && mediaType !== '*/*') return { contentMediaType: mediaType };
  if (isObject(schema) && schema.type === 'string' && schema.format === 'binary') return { ...schema, contentMediaType: mediaType };
  return schema;
}

/**
 * The media types of a body (a Request Body's or Response's `content`), each with its tree and
 * examples. Media types with the same schema (JSON and XML of one object, say) are one view: the
 * tree is printed once, with every media type named.
 */
export function mediaViews(doc: OpenApiObject, content: unknown, treeOptions?: TreeOptions): MediaView[] {
  if (!isObject(content)) return [];
  const views: MediaView[] = [];
  const byKey = new Map<string, MediaView>();
  for (const [mediaType, raw] of Object.entries(content)) {
    const media = isObject(raw) ? raw : {};
    const schema = bodySchema(mediaType, media.schema);
    const key = schema === undefined ? undefined : schemaKey(schema);
    const shared = key !== undefined ? byKey.get(key) : undefined;
    const examples = mediaExamples(doc, media);
    if (shared) {
      shared.mediaTypes.push(mediaType);
      // A generated example is the same for the same schema; authored ones are each media type's own.
      for (const ex of examples) if (!shared.examples.some((e) => e.text === ex.text)) shared.examples.push({ ...ex, summary: `${ex.summary ?? ex.name} (${mediaType})` });
      continue;
    }
    const view: MediaView = { mediaType, mediaTypes: [mediaType], tree: schema !== undefined ? buildSchemaTree(doc, schema, treeOptions) : undefined, examples, schemaKey: key };
    if (key !== undefined) byKey.set(key, view);
    views.push(view);
  }
  return views;
}

/**
 * Prints each schema tree once per page: a body whose schema was shown in full under an earlier
 * heading (the request body, or another response: 400, 401 and 404 all sending `Error`) keeps only
 * its root line and links there.
 */
export function shareRepeatedTrees(sections: Array<{ label: string; anchor: string; content: MediaView[] }>): void {
  const shown = new Map<string, { label: string; anchor: string }>();
  for (const section of sections) {
    for (const view of section.content) {
      if (view.schemaKey === undefined || !view.tree) continue;
      const first = shown.get(view.schemaKey);
      if (!first) {
        shown.set(view.schemaKey, { label: section.label, anchor: section.anchor });
        continue;
      }
      // Only a tree with something below its root line is worth pointing elsewhere for.
      if (!view.tree.children?.length && !view.tree.variants) continue;
      view.sameAs = first;
      view.tree = { ...view.tree, children: undefined, variants: undefined };
    }
  }
}

/** Longest schema text compared: an inlined schema may be millions of nodes, and is then never shared. */
const MAX_KEY_CHARS = 200_000;

/** A short, stable key of a schema: equal schemas (the same `$ref`, or the same inline text) get equal keys. */
function schemaKey(schema: unknown): string | undefined {
  const text = prettyJsonWithin(schema, MAX_KEY_CHARS);
  if (text.length > MAX_KEY_CHARS) return undefined;
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
