/**
 * Ajv errors in plain words: one issue per real problem, at a document path, with the closest known
 * name for a typo. Used by the OpenAPI validator (openapi-schema.ts) and the CRD validator (crd-schema.ts).
 */
import type { ErrorObject } from 'ajv';
import { isObject } from '../util/is-object.ts';
import { formatDocPath, type DocPath, type SchemaIssue } from './diagnostics.ts';

/**
 * Turns Ajv errors into one plain-words issue per real problem, with document paths.
 * For oneOf/anyOf failures it keeps only the branch that came closest.
 */
export function ajvErrorsToIssues(errors: readonly ErrorObject[], doc: unknown, branchErrors?: BranchValidator): SchemaIssue[] {
  const kept = condenseAlternatives(errors, branchErrors);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const valueChecked = new Set<string>();
  for (const e of kept) {
    // One problem per value: `must be a boolean` already explains why it is not `true` either.
    if (VALUE_KEYWORDS.has(e.keyword)) {
      if (valueChecked.has(e.instancePath)) continue;
      valueChecked.add(e.instancePath);
    }
    const issue = describeError(e, doc);
    if (!issue) continue;
    const key = `${JSON.stringify(issue.path)} ${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/** Keywords that judge a value itself, rather than name a missing or extra field. */
const VALUE_KEYWORDS = new Set(['type', 'enum', 'const', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength']);

/** Re-validates data against branch `index` of the oneOf/anyOf in `parentSchema`; undefined when it cannot. */
export type BranchValidator = (parentSchema: unknown, keyword: string, index: number, data: unknown) => readonly ErrorObject[] | undefined;

/**
 * Ajv (allErrors) reports every branch of a failed oneOf/anyOf, then the oneOf itself, and its schema
 * paths do not say which branch an error came from (a compiled $ref restarts them). So each branch is
 * validated again on its own, the branch a person most likely meant is kept, the others are dropped.
 */
function condenseAlternatives(errors: readonly ErrorObject[], branchErrors?: BranchValidator): ErrorObject[] {
  const dropped = new Set<number>();
  const replacements = new Map<number, ErrorObject[]>();
  for (let j = errors.length - 1; j >= 0; j--) {
    const alt = errors[j]!;
    if (dropped.has(j) || (alt.keyword !== 'oneOf' && alt.keyword !== 'anyOf') || !branchErrors) continue;
    const branches = Array.isArray(alt.schema) ? alt.schema : [];
    const perBranch = branches.map((_, i) => branchErrors(alt.parentSchema, alt.keyword, i, alt.data));
    if (perBranch.some((b) => b === undefined)) continue;
    const rebased = (perBranch as ErrorObject[][]).map((errs) => errs.map((e) => ({ ...e, instancePath: alt.instancePath + e.instancePath })));
    const signatures = new Set(rebased.flat().map(signature));
    for (let k = j - 1; k >= 0 && isWithin(errors[k]!.instancePath, alt.instancePath); k--) {
      if (signatures.has(signature(errors[k]!))) dropped.add(k);
    }
    if (rebased.some((errs) => errs.length === 0)) continue; // several branches passed: the oneOf error says so
    // Score each branch by what it would report itself, so a nested oneOf's wrong variants do not count.
    const condensed = rebased.map((errs) => condenseAlternatives(errs, branchErrors));
    const best = condensed.map((errs, i) => [i, score(errs, alt)] as const).sort((x, y) => compareScores(y[1], x[1]))[0]![0];
    replacements.set(j, condensed[best]!);
  }
  const out: ErrorObject[] = [];
  errors.forEach((e, i) => {
    if (dropped.has(i) || e.keyword === 'if') return;
    out.push(...(replacements.get(i) ?? [e]));
  });
  return out;
}

function signature(e: ErrorObject): string {
  return `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
}

/** Ranks a branch's errors: right type, right variant (enum/const/$ref), got deepest, fewest errors. */
function score(errs: readonly ErrorObject[], alt: ErrorObject): number[] {
  const wrongType = errs.some((e) => e.keyword === 'type' && e.instancePath === alt.instancePath);
  const wrongVariant = errs.some(
    (e) =>
      (e.keyword === 'enum' && Array.isArray(e.schema) && e.schema.length === 1 && typeof e.schema[0] === 'string') ||
      (e.keyword === 'const' && typeof (e.params as { allowedValue?: unknown }).allowedValue === 'string'),
  );
  const notReference = errs.some((e) => e.keyword === 'required' && (e.params as { missingProperty?: string }).missingProperty === '$ref');
  const depth = Math.max(...errs.map((e) => e.instancePath.split('/').length));
  return [wrongType ? 0 : 1, wrongVariant || notReference ? 0 : 1, depth, -errs.length];
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/** One Ajv error as a sentence that names the field. Undefined for errors that only summarise others. */
function describeError(e: ErrorObject, doc: unknown): SchemaIssue | undefined {
  const path = pointerToPath(e.instancePath, doc);
  const where = formatDocPath(path);
  const field = where ? `\`${where}\`` : 'the document';
  const params = e.params as Record<string, unknown>;
  const parent = isObject(e.parentSchema) ? e.parentSchema : {};
  const known = isObject(parent.properties) ? Object.keys(parent.properties) : [];
  switch (e.keyword) {
    case 'required':
      return { path, message: `${field} is missing required field \`${String(params.missingProperty)}\`` };
    case 'dependencies':
    case 'dependentRequired':
      return { path, message: `${field} has \`${String(params.property)}\`, so it also needs \`${String(params.missingProperty)}\`` };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(params.additionalProperty ?? params.unevaluatedProperty);
      const at = [...path, name];
      const suggestion = closestName(name, known);
      const patterns = isObject(parent.patternProperties) ? Object.keys(parent.patternProperties) : [];
      const allowed = suggestion
        ? `; did you mean \`${suggestion}\`?`
        : patterns.length && known.length === 0
          ? ` (names here must match ${patterns.join(' or ')})`
          : patterns.includes('^x-')
            ? ' (extensions must start with `x-`)'
            : '';
      return { path: at, message: `unknown field \`${formatDocPath(at)}\`${allowed}` };
    }
    case 'type':
      return { path, message: `${field} must be ${withArticle(String(params.type))}, not ${typeName(e.data)}` };
    case 'enum': {
      const values = (Array.isArray(e.schema) ? e.schema : []).map((v) => `\`${String(v)}\``);
      const got = `got \`${String(e.data)}\``;
      return { path, message: values.length === 1 ? `${field} must be ${values[0]} (${got})` : `${field} must be one of ${values.join(', ')} (${got})` };
    }
    case 'const':
      return { path, message: `${field} must be \`${String(params.allowedValue)}\`` };
    case 'pattern':
      return { path, message: `${field} \`${String(e.data)}\` does not match the pattern \`${String(params.pattern)}\`` };
    case 'format':
      return { path, message: `${field} must be a valid ${String(params.format)} (got \`${String(e.data)}\`)` };
    case 'minLength':
      return { path, message: params.limit === 1 ? `${field} must not be empty` : `${field} must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { path, message: `${field} must be at most ${String(params.limit)} characters long` };
    case 'minItems':
      return { path, message: params.limit === 1 ? `${field} must list at least one item` : `${field} must list at least ${String(params.limit)} items` };
    case 'maxItems':
      return { path, message: `${field} must list at most ${String(params.limit)} items` };
    case 'minProperties':
      return { path, message: `${field} must have at least ${String(params.limit)} field${params.limit === 1 ? '' : 's'}` };
    case 'maxProperties':
      return { path, message: `${field} must have at most ${String(params.limit)} field${params.limit === 1 ? '' : 's'}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `${field} must be ${String(params.comparison)} ${String(params.limit)} (got ${String(e.data)})` };
    case 'multipleOf':
      return { path, message: `${field} must be a multiple of ${String(params.multipleOf)}` };
    case 'uniqueItems':
      return { path, message: `${field} lists the same item twice (items ${String(params.j)} and ${String(params.i)})` };
    case 'propertyNames':
      return { path, message: `${field} has a field name that is not allowed here` };
    case 'false schema':
      return { path, message: `${field} is not allowed here` };
    case 'not':
    case 'oneOf':
    case 'anyOf': {
      const why = typeof parent.description === 'string' ? parent.description : undefined;
      if (e.keyword === 'oneOf' && params.passingSchemas) return { path, message: `${field} matches more than one allowed form${why ? `: ${why}` : ''}` };
      return { path, message: `${field} is not valid here${why ? `: ${why}` : ''}` };
    }
    default:
      return { path, message: `${field} ${e.message ?? 'is not valid'}` };
  }
}

/** Turns an Ajv instance path (JSON Pointer) into a DocPath, with numbers where the document has arrays. */
function pointerToPath(pointer: string, doc: unknown): DocPath {
  if (pointer === '') return [];
  const out: Array<string | number> = [];
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = isObject(node) ? node[key] : undefined;
    }
  }
  return out;
}

/** The known name closest to a misspelt one, when it is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: a swapped pair of letters (`titel`) counts as one typo. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function withArticle(type: string): string {
  const names = type.split(',').map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'a list' : t === 'null' ? 'null' : `a ${t}`));
  return names.join(' or ');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}
