/**
 * Which parts of an OpenAPI document are description and which are literal data. A `$ref` inside
 * an example value, a default, an enum or an extension is text the API sends or receives (GitHub's
 * `server-statistics` example has `"actions_stats": {"$ref": "server-statistics-actions.yaml"}`),
 * so every walker that follows `$ref`s asks this module where to stop.
 */

/** How the keys of an object are read: keywords, names chosen by the author, or an Example Object. */
export type NodeRole = 'keywords' | 'names' | 'schema-names' | 'example-names' | 'example';

/** Keywords whose values are data (JSON Schema `default`/`enum`/`const`, OpenAPI `example`). */
const LITERAL_KEYWORDS = new Set(['example', 'default', 'enum', 'const']);

/** Keywords whose value maps names of the author's choosing to schemas (a property may be called `default`). */
const SCHEMA_NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'schemas']);

/** Keywords whose value maps names (paths, status codes, media types, component names) to OpenAPI objects. */
const NAME_MAPS = new Set([
  'paths',
  'webhooks',
  'responses',
  'parameters',
  'requestBodies',
  'headers',
  'securitySchemes',
  'securityDefinitions',
  'links',
  'callbacks',
  'pathItems',
  'content',
  'encoding',
  'variables',
  'mapping',
  'scopes',
]);

/**
 * The role of the value at `key` inside an object of role `role`; undefined when that value is
 * literal data, whose `$ref`s are not references. Array items keep the role of their array.
 */
export function childRole(role: NodeRole, key: string, value: unknown): NodeRole | undefined {
  switch (role) {
    case 'schema-names':
      return 'keywords'; // a property called `example` or `x-id` is still a schema
    case 'names':
      return key.startsWith('x-') ? undefined : 'keywords';
    case 'example-names':
      return key.startsWith('x-') ? undefined : 'example';
    case 'example':
      return key === 'value' || key.startsWith('x-') ? undefined : 'keywords';
    case 'keywords':
      if (LITERAL_KEYWORDS.has(key) || key.startsWith('x-')) return undefined;
      // In a schema (3.1), `examples` is a list of values; elsewhere it maps names to Example Objects.
      if (key === 'examples') return Array.isArray(value) ? undefined : 'example-names';
      if (SCHEMA_NAME_MAPS.has(key)) return Array.isArray(value) ? 'keywords' : 'schema-names';
      // `parameters` of an operation is a list of Parameter Objects; of components, a map of them.
      if (NAME_MAPS.has(key)) return Array.isArray(value) ? 'keywords' : 'names';
      return 'keywords';
  }
}
