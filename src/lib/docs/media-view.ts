import type { OpenApiObject } from '../catalog/model.ts';
import { mediaExamples, type MediaExample } from './example.ts';
import { buildSchemaTree, type SchemaNode } from './schema-tree.ts';

/** A request or response body in one media type. */
export interface MediaView {
  mediaType: string;
  tree?: SchemaNode;
  examples: MediaExample[];
}

function isObject(x: unknown): x is OpenApiObject {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
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

/** The media types of a body (a Request Body's or Response's `content`), each with its tree and examples. */
export function mediaViews(doc: OpenApiObject, content: unknown): MediaView[] {
  if (!isObject(content)) return [];
  return Object.entries(content).map(([mediaType, raw]) => {
    const media = isObject(raw) ? raw : {};
    const schema = bodySchema(mediaType, media.schema);
    return { mediaType, tree: schema !== undefined ? buildSchemaTree(doc, schema) : undefined, examples: mediaExamples(doc, media) };
  });
}
