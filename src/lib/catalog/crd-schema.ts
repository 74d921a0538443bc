import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { formatDocPath, type DocPath, type SchemaIssue } from './diagnostics.ts';
import { checkCelRules } from './crd-cel-rules.ts';
import { parseGoDuration } from './go-duration.ts';
import { ajvErrorsToIssues, closestName } from './schema-issues.ts';
import { isObject } from '../util/is-object.ts';

/** The CRD file Portico ships for each `group/kind` (see crd-schemas/PROVENANCE.md). */
const CRD_FILES: Readonly<Record<string, string>> = {
  'hub.traefik.io/API': 'hub.traefik.io_apis.yaml',
  'hub.traefik.io/APIVersion': 'hub.traefik.io_apiversions.yaml',
  'hub.traefik.io/APIBundle': 'hub.traefik.io_apibundles.yaml',
  'hub.traefik.io/APIPlan': 'hub.traefik.io_apiplans.yaml',
  'hub.traefik.io/APICatalogItem': 'hub.traefik.io_apicatalogitems.yaml',
  'hub.traefik.io/APIPortal': 'hub.traefik.io_apiportals.yaml',
  'hub.traefik.io/ContentItem': 'hub.traefik.io_contentitems.yaml',
  'hub.traefik.io/ManagedApplication': 'hub.traefik.io_managedapplications.yaml',
  'hub.traefik.io/ManagedSubscription': 'hub.traefik.io_managedsubscriptions.yaml',
  'tyk.tyk.io/TykOasApiDefinition': 'tyk.tyk.io_tykoasapidefinitions.yaml',
  'tyk.tyk.io/ApiDefinition': 'tyk.tyk.io_apidefinitions.yaml',
  'tyk.tyk.io/SecurityPolicy': 'tyk.tyk.io_securitypolicies.yaml',
  'configuration.konghq.com/KongConsumer': 'configuration.konghq.com_kongconsumers.yaml',
  'configuration.konghq.com/KongPlugin': 'configuration.konghq.com_kongplugins.yaml',
};

type JsonObject = Record<string, unknown>;

/** One served version of a CRD, ready to validate against. */
interface CompiledCrd {
  /** The CRD's `openAPIV3Schema`, as written (CEL rules, nullable and pruning read it). */
  schema: JsonObject;
  /** Ajv validator for the same schema after Kubernetes-only keywords were translated. */
  validate: ValidateFunction;
}

/** `group/kind` -> served version name -> compiled schema. Immutable once filled. */
const compiled = new Map<string, Map<string, CompiledCrd>>();

/** One Ajv for every CRD: its compiled validators are cached by schema object, not per request. */
let ajv: Ajv | undefined;

/**
 * Validates a parsed Kubernetes document against the CRD schema Portico ships for its kind.
 * Returns undefined when Portico has no schema for that `apiVersion`/`kind`.
 */
export function validateResource(doc: unknown): SchemaIssue[] | undefined {
  if (!isObject(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') return undefined;
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/', 2) : ['', doc.apiVersion];
  const key = `${group}/${doc.kind}`;
  const versions = loadCrd(key);
  if (!versions) return undefined;
  const crd = versions.get(version ?? '');
  if (!crd) {
    const served = [...versions.keys()].map((v) => `${group}/${v}`).join(', ');
    return [{ path: ['apiVersion'], message: `${doc.kind} is not served as \`${doc.apiVersion}\`; use ${served}` }];
  }

  const issues: SchemaIssue[] = [];
  const metadata = checkMetadata(doc.metadata, issues);
  // Kubernetes prunes unknown fields and non-nullable nulls before it validates: do the same, and say so.
  const spec = pruneValue(doc, crd.schema, [], issues, true) as JsonObject;
  if (metadata !== undefined) spec.metadata = metadata;
  else delete spec.metadata;
  if (!crd.validate(spec)) issues.push(...ajvErrorsToIssues(crd.validate.errors ?? [], spec));
  issues.push(...checkCelRules(doc.kind, spec, crd.schema));
  return issues;
}

// ---------------------------------------------------------------- loading

/**
 * Where a shipped CRD file is: next to this module (src/ under Vitest and tsx), else in the project
 * the portal runs from. The Astro build bundles this module into site/server/chunks/, where no
 * crd-schemas/ folder is, and there every validation failed (the same two places as db/client.ts).
 */
function crdSchemaFile(file: string): string {
  const candidates = [fileURLToPath(new URL(`./crd-schemas/${file}`, import.meta.url)), path.resolve('src/lib/catalog/crd-schemas', file)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the CRD schema ${file} is not where Portico keeps it (src/lib/catalog/crd-schemas); start Portico from the project folder`);
  return found;
}

function loadCrd(key: string): Map<string, CompiledCrd> | undefined {
  const cached = compiled.get(key);
  if (cached) return cached;
  const file = CRD_FILES[key];
  if (!file) return undefined;
  const text = readFileSync(crdSchemaFile(file), 'utf8');
  const crd = parse(text) as { spec?: { versions?: Array<{ name: string; schema?: { openAPIV3Schema?: JsonObject } }> } };
  const versions = new Map<string, CompiledCrd>();
  for (const v of crd.spec?.versions ?? []) {
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) continue;
    versions.set(v.name, { schema, validate: getAjv().compile(toAjvSchema(schema) as JsonObject) });
  }
  compiled.set(key, versions);
  return versions;
}

/** Formats the Kubernetes API server checks; every other `format` (int32, int64, ...) is ignored, as it does. */
const KUBERNETES_FORMATS = new Set(['date-time', 'date', 'duration', 'byte', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);

function getAjv(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  addFormats(ajv, ['date-time', 'date', 'byte', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
  ajv.addFormat('duration', (s: string) => parseGoDuration(s) !== undefined);
  return ajv;
}

/**
 * Translates Kubernetes structural-schema extensions into plain JSON Schema:
 * int-or-string and nullable become type unions; unknown formats are dropped.
 */
function toAjvSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toAjvSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k === 'x-kubernetes-validations' || k === 'nullable') continue;
    if (k === 'format' && !KUBERNETES_FORMATS.has(String(v))) continue;
    if (k === 'pattern' && typeof v === 'string') {
      out[k] = goPatternToJs(v);
      continue;
    }
    out[k] = k === 'properties' || k === 'patternProperties' ? mapValues(v, toAjvSchema) : toAjvSchema(v);
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    // Structural schemas spell this as anyOf [integer, string]; one type union gives one clear error.
    delete out.anyOf;
    delete out.allOf;
    out.type = ['integer', 'string'];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (node.nullable === true && Array.isArray(out.type)) out.type = [...out.type, 'null'];
  return out;
}

/**
 * A CRD `pattern` (Go RE2 syntax, as the API server reads it) in the syntax Ajv's Unicode-mode
 * RegExp takes. RE2 accepts a needless `\-` outside a character class (Kong's KongConsumer has
 * one) where a Unicode-mode JS RegExp throws; a `-` there is literal in both.
 */
function goPatternToJs(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      out += !inClass && next === '-' ? '-' : c + next;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

// ---------------------------------------------------------------- metadata and pruning

const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
];

/** RFC 1123 subdomain, the rule Kubernetes applies to most object names (k8s.io/apimachinery validation). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label, the rule for namespaces. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks ObjectMeta, which CRD schemas leave to the API server; returns it with unknown fields dropped. */
function checkMetadata(metadata: unknown, issues: SchemaIssue[]): JsonObject | undefined {
  if (!isObject(metadata)) {
    issues.push({ path: metadata === undefined ? [] : ['metadata'], message: 'metadata.name is required: every resource needs a name' });
    return undefined;
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (OBJECT_META_FIELDS.includes(k)) out[k] = v;
    else issues.push(unknownField(['metadata', k], OBJECT_META_FIELDS));
  }
  const name = metadata.name;
  if (name === undefined || name === null || name === '') {
    issues.push({ path: ['metadata'], message: 'metadata.name is required: every resource needs a name' });
  } else if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    issues.push({
      path: ['metadata', 'name'],
      message: `metadata.name \`${String(name)}\` is not a valid Kubernetes name: use at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`,
    });
  }
  const namespace = metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    issues.push({
      path: ['metadata', 'namespace'],
      message: `metadata.namespace \`${String(namespace)}\` is not a valid namespace: use at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    });
  }
  for (const map of ['labels', 'annotations'] as const) {
    const value = metadata[map];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) {
      issues.push({ path: ['metadata', map], message: `metadata.${map} must be a map of strings` });
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') {
        issues.push({ path: ['metadata', map, k], message: `${formatDocPath(['metadata', map, k])} must be a string; quote the value (\`"${String(v)}"\`)` });
      }
    }
  }
  return out;
}

/**
 * Returns a copy of `value` with what Kubernetes prunes removed, reporting each removal as a warning:
 * fields the schema does not declare, and nulls where the schema is not nullable.
 */
function pruneValue(value: unknown, schema: JsonObject, path: DocPath, issues: SchemaIssue[], root = false): unknown {
  if (Array.isArray(value)) {
    const items = isObject(schema.items) ? schema.items : undefined;
    return items ? value.map((v, i) => pruneValue(v, items, [...path, i], issues)) : value;
  }
  if (!isObject(value)) return value;
  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.type !== 'object' && !properties && !isObject(additional)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const childPath = [...path, k];
    if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) {
      out[k] = v;
      continue;
    }
    const childSchema = properties?.[k] ?? (isObject(additional) ? additional : undefined);
    if (!childSchema || !isObject(childSchema)) {
      if (preserve || additional === true) out[k] = v;
      else issues.push(unknownField(childPath, Object.keys(properties ?? {})));
      continue;
    }
    if (v === null && childSchema.nullable !== true) {
      issues.push({ path: childPath, severity: 'warning', message: `\`${formatDocPath(childPath)}\` is null; Kubernetes drops it` });
      continue;
    }
    out[k] = pruneValue(v, childSchema, childPath, issues);
  }
  return out;
}

function unknownField(path: DocPath, known: readonly string[]): SchemaIssue {
  const name = String(path[path.length - 1]);
  const suggestion = closestName(name, known);
  const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
  return { path, severity: 'warning', message: `unknown field \`${formatDocPath(path)}\` (Kubernetes drops it${hint})` };
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}
