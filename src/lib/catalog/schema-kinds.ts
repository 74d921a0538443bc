/**
 * Where a node of an OpenAPI document stands: a Schema Object, a map of them (`properties`), a list
 * of them (`allOf`), or neither. The bundler asks it to hoist a `$ref` that stands for a schema into
 * components under a name, instead of copying it in.
 */

/** Where a node stands: a Schema Object, a map of them (`properties`), a list of them (`allOf`), or neither. */
export type SchemaKind = 'schema' | 'schema-map' | 'schema-list' | undefined;

const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SUBSCHEMAS = new Set(['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'additionalItems', 'contentSchema']);

/** The kind of the value at `key` of a node of kind `kind`. */
export function childKind(kind: SchemaKind, key: string, value: unknown): SchemaKind {
  switch (kind) {
    case 'schema-map':
    case 'schema-list':
      return 'schema';
    case 'schema':
      if (SUBSCHEMA_MAPS.has(key)) return 'schema-map';
      if (SUBSCHEMA_LISTS.has(key)) return 'schema-list';
      if (key === 'items') return Array.isArray(value) ? 'schema-list' : 'schema';
      return SUBSCHEMAS.has(key) ? 'schema' : undefined;
    default:
      // `schema` of a parameter, header or media type; `components.schemas`; Swagger 2.0's `definitions`.
      if (key === 'schema') return 'schema';
      if (key === 'schemas' || key === 'definitions') return 'schema-map';
      return undefined;
  }
}
