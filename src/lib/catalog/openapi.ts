import { createHash } from 'node:crypto';
import { upgrade } from '@scalar/openapi-upgrader';
import type { DocPath, Severity } from './diagnostics.ts';
import { HTTP_METHODS, type OpenApiObject, type Operation, type OperationMatcher, type OperationSet, type Server, type SourceRef, type Webhook } from './model.ts';
import { resolveLocalRef } from './local-ref.ts';
import { checkLocalRefs } from './openapi-refs.ts';
import { validateOpenApiDocument } from './openapi-schema.ts';
import type { Position } from './parsed-file.ts';
import { isObject } from '../util/is-object.ts';

// The docs and the impact check import the resolver from here; it lives in local-ref.ts.
export { resolveLocalRef };

/** Bump when the normalised output changes shape, so cached documents are rebuilt. */
export const NORMALISER_VERSION = 5;

/** A problem in an OpenAPI document, placed in its file. */
export interface SpecIssue {
  file: string;
  position: Position;
  path: DocPath;
  message: string;
  severity: Severity;
}

/** What Portico keeps of one OpenAPI document: cacheable, plain JSON. */
export interface NormalisedSpec {
  sourceVersion: string;
  document: OpenApiObject;
  /** `METHOD path` -> where the operation is written. */
  operationSources: Record<string, SourceRef>;
  issues: SpecIssue[];
}

/** Reads the declared version of an OpenAPI or Swagger document, or undefined when there is none. */
export function declaredOpenApiVersion(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (typeof d.openapi === 'string') return d.openapi;
  if (d.swagger !== undefined) return String(d.swagger);
  return undefined;
}

/**
 * Why a document with no usable `openapi` or `swagger` field cannot be read, and where to look.
 * `openapi: 3.0` unquoted is the YAML number 3, which says neither 3.0.3 nor 3.1.0.
 */
export function missingVersionIssue(doc: Record<string, unknown>): { path: DocPath; message: string } {
  const v = doc.openapi;
  if (v === undefined || v === null) {
    return { path: [], message: 'not an OpenAPI document: it has neither an `openapi` nor a `swagger` field' };
  }
  const got =
    typeof v === 'number' ? `the number ${v} (unquoted, YAML reads a version such as 3.0 as a number)` : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${String(v)}`;
  return { path: ['openapi'], message: `\`openapi\` must be a string such as "3.0.3" or "3.1.0", not ${got}; write the full version in quotes, e.g. \`openapi: "3.0.3"\`` };
}

/**
 * Validates a (bundled) OpenAPI 2.0/3.0/3.1 document and normalises it to OpenAPI 3.1.
 * `locate` places a document path in its source file. Never throws on bad input.
 */
export function normaliseOpenApi(raw: Record<string, unknown>, locate: (path: DocPath) => { file: string; position: Position }): NormalisedSpec {
  const issues: SpecIssue[] = [];
  const sourceVersion = declaredOpenApiVersion(raw) ?? 'unknown';
  for (const issue of validateOpenApiDocument(raw)) {
    const where = locate(issue.path);
    issues.push({ ...where, path: issue.path, message: issue.message, severity: issue.severity ?? 'error' });
  }
  const supported = /^(2\.0|3\.[01]\.\d+)$/.test(sourceVersion);
  if (!supported) return { sourceVersion, document: raw, operationSources: {}, issues };
  for (const issue of checkLocalRefs(raw)) {
    issues.push({ ...locate(issue.path), path: issue.path, message: issue.message, severity: issue.severity ?? 'error' });
  }

  const operationSources: Record<string, SourceRef> = {};
  const paths = (raw.paths ?? {}) as Record<string, Record<string, unknown>>;
  if (paths && typeof paths === 'object') {
    for (const [p, item] of Object.entries(paths)) {
      if (!item || typeof item !== 'object') continue;
      for (const method of HTTP_METHODS) {
        if (!(method in item)) continue;
        const where = locate(['paths', p, method]);
        operationSources[`${method.toUpperCase()} ${p}`] = { file: where.file, ...where.position };
      }
    }
  }

  let document: OpenApiObject;
  try {
    document = sourceVersion.startsWith('3.1') ? raw : (upgrade(raw as never, '3.1') as unknown as OpenApiObject);
  } catch (err) {
    const where = locate([]);
    // An engine error (a TypeError deep in the upgrader) is no reason a person can act on.
    const reason = err instanceof TypeError || err instanceof RangeError ? 'the converter could not follow its structure; fix the problems reported above first' : (err as Error).message;
    issues.push({ ...where, path: [], severity: 'error', message: `cannot convert OpenAPI ${sourceVersion} to 3.1: ${reason}` });
    document = raw;
  }
  return { sourceVersion, document, operationSources, issues };
}

/** Hashes the files behind a document: an unchanged spec has an unchanged hash. */
export function hashSpecSources(texts: Iterable<[string, string]>): string {
  const hash = createHash('sha256');
  hash.update(`portico-normaliser:${NORMALISER_VERSION}\n`);
  for (const [file, text] of texts) {
    hash.update(file);
    hash.update('\0');
    hash.update(text);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The operation id Portico uses when a spec has none: stable and URL-safe. */
export function deriveOperationId(method: string, path: string): string {
  const slug = path
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${method.toLowerCase()}-${slug || 'root'}`;
}

/** Does this operation fall under a Traefik Hub operation set? (path exact, prefix or regex; methods if given) */
export function operationMatchesSet(method: string, path: string, set: OperationSet): boolean {
  return set.matchers.some((m) => matcherMatches(method, path, m));
}

function matcherMatches(method: string, path: string, m: OperationMatcher): boolean {
  if (m.methods && m.methods.length > 0 && !m.methods.some((x) => x.toUpperCase() === method.toUpperCase())) return false;
  if (m.path !== undefined) return templateCanMatch(path, m.path, false);
  if (m.pathPrefix !== undefined) return templateCanMatch(path, m.pathPrefix, true);
  if (m.pathRegex !== undefined) {
    try {
      return new RegExp(m.pathRegex).test(path);
    } catch {
      return false; // an invalid regex is reported by the linter, and matches nothing
    }
  }
  return true;
}

/**
 * Can a request to the path template (`/weather/{id}`) have the concrete path `target` (or, with
 * `prefix`, a path starting with it)? Matchers are written against requests (`/weather/0`), the docs
 * list templates: a `{param}` stands for one or more characters other than `/`.
 */
export function templateCanMatch(template: string, target: string, prefix: boolean): boolean {
  const walk = (t: number, p: number): boolean => {
    if (p === target.length) return prefix || t === template.length;
    if (t === template.length) return false;
    if (template[t] === '{') {
      const close = template.indexOf('}', t);
      if (close === -1) return template[t] === target[p] && walk(t + 1, p + 1);
      // The parameter takes at least one character and never a slash.
      for (let end = p + 1; end <= target.length && target[end - 1] !== '/'; end++) {
        if (walk(close + 1, end)) return true;
      }
      return false;
    }
    return template[t] === target[p] && walk(t + 1, p + 1);
  };
  return walk(0, 0);
}

/** What the docs need from one normalised document. */
export interface ExtractedSpec {
  servers: Server[];
  operations: Operation[];
  webhooks: Webhook[];
  tags: Array<{ name: string; description?: string }>;
  schemaNames: string[];
  securitySchemes: Record<string, OpenApiObject>;
}

/** Extracts operations, webhooks, tags, servers and schemes from a normalised 3.1 document. */
export function extractSpec(doc: OpenApiObject, operationSources: Record<string, SourceRef>, operationSets: OperationSet[], fallbackSource: SourceRef): ExtractedSpec {
  const globalSecurity = Array.isArray(doc.security) ? (doc.security as Array<Record<string, string[]>>) : [];
  const operations: Operation[] = [];
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [p, rawItem] of Object.entries(paths)) {
    const item = resolveLocalRef<OpenApiObject>(doc, rawItem);
    if (!isObject(item)) continue;
    const pathParams = asArray(item.parameters)
      .map((x) => resolveLocalRef<OpenApiObject>(doc, x))
      .filter(isObject);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const opParams = asArray(op.parameters)
        .map((x) => resolveLocalRef<OpenApiObject>(doc, x))
        .filter(isObject);
      const merged = new Map<string, OpenApiObject>();
      for (const param of [...pathParams, ...opParams]) merged.set(`${String(param.in)}:${String(param.name)}`, param);
      const explicitId = typeof op.operationId === 'string' && op.operationId.length > 0 ? op.operationId : undefined;
      const responses: Record<string, OpenApiObject> = {};
      for (const [status, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
        const resolved = resolveLocalRef<OpenApiObject>(doc, response);
        if (isObject(resolved)) responses[status] = resolved;
      }
      const requestBody = resolveLocalRef<OpenApiObject>(doc, op.requestBody);
      operations.push({
        method,
        path: p,
        operationId: explicitId ?? deriveOperationId(method, p),
        derivedOperationId: explicitId === undefined,
        tags: asArray(op.tags).filter((t): t is string => typeof t === 'string'),
        summary: asString(op.summary),
        description: asString(op.description),
        parameters: [...merged.values()],
        requestBody: isObject(requestBody) ? requestBody : undefined,
        responses,
        security: Array.isArray(op.security) ? (op.security as Array<Record<string, string[]>>) : globalSecurity,
        deprecated: op.deprecated === true,
        servers: Array.isArray(op.servers) ? (op.servers as Server[]) : Array.isArray(item.servers) ? (item.servers as Server[]) : undefined,
        operationSets: operationSets.filter((set) => operationMatchesSet(method, p, set)).map((set) => set.name),
        source: operationSources[`${method.toUpperCase()} ${p}`] ?? fallbackSource,
      });
    }
  }

  const webhooks: Webhook[] = [];
  for (const [name, rawItem] of Object.entries(isObject(doc.webhooks) ? doc.webhooks : {})) {
    const item = resolveLocalRef<OpenApiObject>(doc, rawItem);
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const requestBody = resolveLocalRef<OpenApiObject>(doc, op.requestBody);
      webhooks.push({
        name,
        method,
        operationId: asString(op.operationId) ?? `webhook-${deriveOperationId(method, name)}`,
        summary: asString(op.summary),
        description: asString(op.description),
        requestBody: isObject(requestBody) ? requestBody : undefined,
        responses: isObject(op.responses) ? (op.responses as Record<string, OpenApiObject>) : {},
        deprecated: op.deprecated === true,
      });
    }
  }

  const declaredTags = asArray(doc.tags)
    .filter(isObject)
    .map((t) => ({ name: String(t.name), description: asString(t.description) }));
  const seen = new Set(declaredTags.map((t) => t.name));
  for (const op of operations) for (const t of op.tags) if (!seen.has(t)) seen.add(t), declaredTags.push({ name: t, description: undefined });

  const components = isObject(doc.components) ? doc.components : {};
  const securitySchemes: Record<string, OpenApiObject> = {};
  for (const [name, scheme] of Object.entries(isObject(components.securitySchemes) ? components.securitySchemes : {})) {
    const resolved = resolveLocalRef<OpenApiObject>(doc, scheme);
    if (isObject(resolved)) securitySchemes[name] = resolved;
  }

  return {
    servers: asArray(doc.servers)
      .filter(isObject)
      .filter((s) => typeof s.url === 'string') as unknown as Server[],
    operations,
    webhooks,
    tags: declaredTags,
    schemaNames: Object.keys(isObject(components.schemas) ? components.schemas : {}).sort(),
    securitySchemes,
  };
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
