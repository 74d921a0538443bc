/**
 * Is this a mapping (a JSON or YAML object), as opposed to null, an array or a scalar? The one test
 * the catalog, the gateway and the docs use on parsed documents. Its members are `any` because a
 * parsed document's shape is only known once each member is checked in turn.
 */
export function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
