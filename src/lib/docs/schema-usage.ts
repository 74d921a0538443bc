import type { OpenApiObject, Operation } from '../catalog/model.ts';
import { childRole, type NodeRole } from '../catalog/openapi-literals.ts';
import { componentName } from './schema-tree.ts';

/** Component schema names referred to anywhere inside `value`, without following the references; example data is skipped. */
export function directSchemaRefs(value: unknown, out = new Set<string>(), role: NodeRole = 'keywords'): Set<string> {
  if (Array.isArray(value)) for (const v of value) directSchemaRefs(v, out, role);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') {
        const name = componentName(v);
        if (name) out.add(name);
        continue;
      }
      const next = childRole(role, k, v);
      if (next !== undefined) directSchemaRefs(v, out, next);
    }
  }
  return out;
}

/**
 * For each component schema, the operations that use it directly or through other schemas:
 * the backlinks of the schema pages. Linear in the spec's size: closures are memoised per schema.
 */
export function schemaBacklinks(doc: OpenApiObject, operations: Operation[]): Map<string, Operation[]> {
  const schemas = ((doc.components as OpenApiObject | undefined)?.schemas as Record<string, unknown> | undefined) ?? {};
  const direct = new Map<string, Set<string>>();
  for (const [name, schema] of Object.entries(schemas)) direct.set(name, directSchemaRefs(schema));
  const closure = new Map<string, Set<string>>();
  const reach = (name: string, visiting = new Set<string>()): Set<string> => {
    const done = closure.get(name);
    if (done) return done;
    const out = new Set<string>([name]);
    visiting.add(name);
    for (const next of direct.get(name) ?? []) {
      if (visiting.has(next)) {
        out.add(next);
        continue;
      }
      for (const n of reach(next, visiting)) out.add(n);
    }
    visiting.delete(name);
    closure.set(name, out);
    return out;
  };
  const usage = new Map<string, Operation[]>();
  for (const op of operations) {
    // `responses` maps status codes (and `default`) to responses: names, not keywords.
    const refs = directSchemaRefs(op.responses, directSchemaRefs([op.parameters, op.requestBody]), 'names');
    // Refs to #/components/responses etc. were resolved one level by the catalog; what remains are schema refs.
    const all = new Set<string>();
    for (const r of refs) for (const n of reach(r)) all.add(n);
    for (const name of all) {
      if (!usage.has(name)) usage.set(name, []);
      usage.get(name)!.push(op);
    }
  }
  return usage;
}
