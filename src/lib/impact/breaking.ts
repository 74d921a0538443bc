import type { ApiVersion, OpenApiObject, Operation } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/local-ref.ts';

/** How one operation changed between two revisions of an API version. */
export interface OperationChange {
  change: 'added' | 'removed' | 'changed';
  method: string;
  path: string;
  operationId: string;
  /** True when a client written against the old document can break. */
  breaking: boolean;
  /** One line per finding, e.g. `new required query parameter "since"`. */
  details: string[];
}

const key = (o: Operation) => `${o.method} ${o.path.replace(/\{[^}]*\}/g, '{}')}`;

type Schema = Record<string, any>;

function typeOf(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  if (Array.isArray(schema.type)) return [...schema.type].sort().join('|');
  return typeof schema.type === 'string' ? schema.type : undefined;
}

/**
 * Compares two schemas as a client reads a response: removed properties and changed types break it.
 * `mode: 'request'` compares as a client writes a request: new required properties and changed types break it.
 */
function compareSchemas(doc0: OpenApiObject, doc1: OpenApiObject, s0: unknown, s1: unknown, where: string, mode: 'request' | 'response', out: string[], depth = 0, seen = new Set<unknown>()): void {
  const a = resolveLocalRef<Schema>(doc0, s0);
  const b = resolveLocalRef<Schema>(doc1, s1);
  if (!a || !b || depth > 6 || seen.has(a)) return;
  seen.add(a);
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta && tb && ta !== tb) {
    out.push(`${where || 'body'} changed type from ${ta} to ${tb}`);
    return;
  }
  if (a.items && b.items) compareSchemas(doc0, doc1, a.items, b.items, `${where}[]`, mode, out, depth + 1, seen);
  const pa: Schema = a.properties ?? {};
  const pb: Schema = b.properties ?? {};
  for (const name of Object.keys(pa)) {
    const field = where ? `${where}.${name}` : name;
    if (!(name in pb)) {
      if (mode === 'response' && !b.additionalProperties) out.push(`response field ${field} was removed`);
      continue;
    }
    compareSchemas(doc0, doc1, pa[name], pb[name], field, mode, out, depth + 1, seen);
  }
  if (mode === 'request') {
    const required0 = new Set<string>(Array.isArray(a.required) ? a.required : []);
    for (const name of Array.isArray(b.required) ? b.required : []) {
      if (!required0.has(name)) out.push(`request field ${where ? `${where}.${name}` : name} is now required`);
    }
  }
}

function jsonSchemaOf(doc: OpenApiObject, holder: unknown): unknown {
  const content = (resolveLocalRef<Schema>(doc, holder) ?? {}).content ?? {};
  const type = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content)[0];
  return type ? content[type]?.schema : undefined;
}

/** What breaks a client between two revisions of one operation: new required parameters, changed types, removed response fields. */
export function compareOperation(v0: ApiVersion, v1: ApiVersion, o0: Operation, o1: Operation): string[] {
  const doc0 = v0.spec?.document ?? {};
  const doc1 = v1.spec?.document ?? {};
  const out: string[] = [];
  const params = (v: OpenApiObject, o: Operation) =>
    new Map(
      o.parameters
        .map((p) => resolveLocalRef<Schema>(v, p))
        .filter((p): p is Schema => !!p?.name)
        .map((p) => [`${p.in}:${p.name}`, p]),
    );
  const before = params(doc0, o0);
  for (const [id, p] of params(doc1, o1)) {
    const old = before.get(id);
    if (p.required === true && (!old || old.required !== true)) out.push(`${old ? 'parameter' : 'new required'} ${p.in} parameter "${p.name}"${old ? ' is now required' : ''}`);
    if (old) {
      const t0 = typeOf(resolveLocalRef<Schema>(doc0, old.schema));
      const t1 = typeOf(resolveLocalRef<Schema>(doc1, p.schema));
      if (t0 && t1 && t0 !== t1) out.push(`${p.in} parameter "${p.name}" changed type from ${t0} to ${t1}`);
    }
  }
  const body0 = resolveLocalRef<Schema>(doc0, o0.requestBody);
  const body1 = resolveLocalRef<Schema>(doc1, o1.requestBody);
  if (body1?.required === true && body0?.required !== true) out.push('request body is now required');
  if (body0 && body1) compareSchemas(doc0, doc1, jsonSchemaOf(doc0, body0), jsonSchemaOf(doc1, body1), '', 'request', out);
  for (const [status, response] of Object.entries(o0.responses)) {
    if (!/^2/.test(status)) continue;
    const next = o1.responses[status];
    if (!next) {
      if (!Object.keys(o1.responses).some((s) => /^2/.test(s))) out.push(`response ${status} was removed`);
      continue;
    }
    const found: string[] = [];
    compareSchemas(doc0, doc1, jsonSchemaOf(doc0, response), jsonSchemaOf(doc1, next), '', 'response', found);
    out.push(...found.map((f) => `${status}: ${f}`));
  }
  return out;
}

/** Operations added, removed, or changed in a breaking way between two revisions of an API version. */
export function compareVersions(v0: ApiVersion, v1: ApiVersion): OperationChange[] {
  const before = new Map(v0.operations.map((o) => [key(o), o]));
  const after = new Map(v1.operations.map((o) => [key(o), o]));
  const changes: OperationChange[] = [];
  for (const [k, o] of before) {
    const next = after.get(k);
    if (!next) {
      changes.push({ change: 'removed', method: o.method.toUpperCase(), path: o.path, operationId: o.operationId, breaking: true, details: ['operation removed'] });
      continue;
    }
    const details = compareOperation(v0, v1, o, next);
    if (next.deprecated && !o.deprecated) details.push('operation deprecated');
    if (details.length) {
      changes.push({ change: 'changed', method: next.method.toUpperCase(), path: next.path, operationId: next.operationId, breaking: details.some((d) => d !== 'operation deprecated'), details });
    }
  }
  for (const [k, o] of after) {
    if (!before.has(k)) changes.push({ change: 'added', method: o.method.toUpperCase(), path: o.path, operationId: o.operationId, breaking: false, details: [] });
  }
  return changes;
}
