import type { OpenApiObject, Operation, Server } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { requestUrl } from './request-url.ts';
import { credentialFor, type Credential } from './security.ts';
import { isObject } from '../util/is-object.ts';
import { csharp } from './samples/csharp.ts';
import { curl } from './samples/curl.ts';
import { go } from './samples/go.ts';
import { java } from './samples/java.ts';
import { javascript } from './samples/javascript.ts';
import { php } from './samples/php.ts';
import { python } from './samples/python.ts';
import { ruby } from './samples/ruby.ts';

/** One code sample of an operation page (docs/decisions/0014-code-samples.md). */
export interface CodeSample {
  /** `curl`, `javascript`, `python`, `go`, `java`, `csharp`, `php`, `ruby`. */
  lang: string;
  /** The Shiki grammar that highlights it. */
  grammar: string;
  /** The tab's name. */
  label: string;
  code: string;
}

/** A request body as a sample sends it: the media type, an example value, and which multipart parts are files. */
export interface SampleBody {
  mediaType: string;
  value: unknown;
  /** Top-level properties of a multipart body that are files (`format: binary`, `contentMediaType`). */
  fileParts?: string[];
  /** The whole body is a file (`application/octet-stream`, an image, a `format: binary` string). */
  binary?: boolean;
  /** How many optional top-level properties the sample leaves out (see SAMPLE_FIELD_LIMIT). */
  omittedFields?: number;
}

/**
 * The most body fields (leaf values, as a form sends them) a sample sends; required fields are sent even past it.
 * Stripe's PostPaymentIntents has about 150, and eight copies of them were 16 KB of a 39 KB gzip page (issue 18).
 */
export const SAMPLE_FIELD_LIMIT = 12;

/**
 * Bodies of up to this many fields are sent whole: an ordinary JSON body (the demo's shipment has
 * about 30 leaves) reads better complete. Only larger ones are cut to SAMPLE_FIELD_LIMIT.
 */
export const SAMPLE_WHOLE_BODY_FIELDS = 40;

/** What a sample needs: the request as a consumer would send it. */
export interface SampleRequest {
  method: string;
  url: string;
  /** Headers other than Content-Type: each language sets that one for the kind of body it sends. */
  headers: Array<[string, string]>;
  body?: SampleBody;
  credential?: Credential;
}

/** The request a sample sends: the first server, path parameters as placeholders, required query parameters, credentials. */
export function sampleRequest(operation: Operation, servers: Server[], schemes: Record<string, OpenApiObject>, body?: SampleBody): SampleRequest {
  const server = (operation.servers ?? servers)[0];
  let base = server?.url ?? 'https://api.example.com';
  for (const [name, variable] of Object.entries(server?.variables ?? {})) base = base.replaceAll(`{${name}}`, variable.default);
  base = base.replace(/\/+$/, '');
  const query: Array<[string, string]> = [];
  const headers: Array<[string, string]> = [];
  for (const p of operation.parameters) {
    if (p.in === 'query' && p.required === true) query.push([String(p.name), knownValue(p) ?? String(p.name).toUpperCase()]);
    if (p.in === 'header' && p.required === true && String(p.name).toLowerCase() !== 'content-type') headers.push([String(p.name), knownValue(p) ?? `<${String(p.name)}>`]);
  }
  const credential = credentialFor(operation.security, schemes);
  if (credential?.where === 'query') query.push([credential.name, credential.value]);
  if (credential?.where === 'header') headers.push([credential.name, credential.value]);
  if (credential?.where === 'cookie') headers.push(['Cookie', `${credential.name}=${credential.value}`]);
  return { method: operation.method.toUpperCase(), url: requestUrl(base, operation.path, query), headers, body, credential };
}

/** The body of a sample from a request body's first media type: its example, and which parts are files. */
export function sampleBodyOf(doc: OpenApiObject, mediaType: string, media: OpenApiObject, value: unknown): SampleBody {
  const schema = resolveLocalRef<OpenApiObject>(doc, media.schema) ?? {};
  if (/^multipart\//i.test(mediaType)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const encoding = isObject(media.encoding) ? media.encoding : {};
    const fileParts = Object.entries(properties)
      .filter(([name, raw]) => isFileSchema(resolveLocalRef<OpenApiObject>(doc, raw) ?? {}) || isFileEncoding(encoding[name]))
      .map(([name]) => name);
    return { mediaType, ...capFields(schema, value, new Set(fileParts)), fileParts };
  }
  const binary = /^(application\/octet-stream|image\/|audio\/|video\/|application\/(pdf|zip|gzip))/i.test(mediaType) || isFileSchema(schema);
  return { mediaType, ...(binary ? { value } : capFields(schema, value, new Set())), binary };
}

/**
 * A body of more than SAMPLE_WHOLE_BODY_FIELDS fields cut to every required property, then optional
 * ones in the schema's order while the fields sent stay within SAMPLE_FIELD_LIMIT; file parts are
 * always kept. The request body section lists the rest.
 */
function capFields(schema: OpenApiObject, value: unknown, keep: Set<string>): { value: unknown; omittedFields?: number } {
  if (!isObject(value)) return { value };
  const entries = Object.entries(value);
  if (entries.reduce((n, [, v]) => n + countFields(v), 0) <= SAMPLE_WHOLE_BODY_FIELDS) return { value };
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  let sent = entries.filter(([k]) => required.has(k) && !keep.has(k)).reduce((n, [, v]) => n + countFields(v), 0);
  let omitted = 0;
  const kept = entries.filter(([k, v]) => {
    if (required.has(k) || keep.has(k)) return true;
    const n = countFields(v);
    if (sent + n > SAMPLE_FIELD_LIMIT) {
      omitted += 1;
      return false;
    }
    sent += n;
    return true;
  });
  return omitted === 0 ? { value } : { value: Object.fromEntries(kept), omittedFields: omitted };
}

/** How many fields a value is when flattened as a form sends it (`a[b][0]`). */
function countFields(value: unknown): number {
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : undefined;
  if (!children || children.length === 0) return 1;
  return children.reduce<number>((n, v) => n + countFields(v), 0);
}

/** A file in OpenAPI 3.0 (`format: binary`), 3.1 (`contentMediaType`), or an array of them. */
function isFileSchema(schema: OpenApiObject): boolean {
  if (schema.type === 'array' && isObject(schema.items)) return isFileSchema(schema.items);
  return schema.format === 'binary' || (typeof schema.contentMediaType === 'string' && schema.contentEncoding === undefined);
}

function isFileEncoding(encoding: unknown): boolean {
  return isObject(encoding) && typeof encoding.contentType === 'string' && !/^(text\/|application\/json)/i.test(encoding.contentType);
}

/** The one value a parameter can take (`const`, or an `enum` of one, as AWS's `Action` and `Version`), else undefined. */
function knownValue(parameter: OpenApiObject): string | undefined {
  const schema = parameter.schema !== null && typeof parameter.schema === 'object' ? (parameter.schema as OpenApiObject) : {};
  const only = schema.const !== undefined ? schema.const : Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined;
  return only === undefined || (only !== null && typeof only === 'object') ? undefined : String(only);
}

/** What a body is, for the code that sends it. */
export type BodyKind =
  | { kind: 'json'; mediaType: string; text: string; value: unknown }
  | { kind: 'form'; mediaType: string; fields: Array<[string, string]> }
  | { kind: 'multipart'; fields: Array<[string, string]>; files: Array<[string, string]> }
  | { kind: 'file'; mediaType: string; file: string }
  | { kind: 'text'; mediaType: string; text: string };

const isJson = (mediaType: string) => /[/+]json\b|^application\/json/i.test(mediaType);

/** Sorts a sample's body into the five ways code sends one; form and multipart values are flattened as `a[b][0]`. */
function bodyKind(body: SampleBody | undefined): BodyKind | undefined {
  if (!body) return undefined;
  const { mediaType, value } = body;
  if (/^multipart\//i.test(mediaType)) {
    const files = new Set(body.fileParts ?? []);
    const fields = formFieldsOf(isObject(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => !files.has(k))) : {});
    return { kind: 'multipart', fields, files: [...files].map((name) => [name, `${name}.bin`]) };
  }
  if (/^application\/x-www-form-urlencoded/i.test(mediaType)) {
    const fields = typeof value === 'string' ? [...new URLSearchParams(value)] : formFieldsOf(value);
    return { kind: 'form', mediaType: 'application/x-www-form-urlencoded', fields };
  }
  if (body.binary) return { kind: 'file', mediaType, file: 'body.bin' };
  if (isJson(mediaType)) return { kind: 'json', mediaType, text: JSON.stringify(value ?? {}, null, 2), value: value ?? {} };
  return { kind: 'text', mediaType, text: typeof value === 'string' ? value : JSON.stringify(value ?? '') };
}

/** Form fields as Stripe, Twilio and Slack read them: nested objects and arrays in brackets. The samples and Try it both send these. */
export function formFieldsOf(value: unknown, prefix = ''): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => formFieldsOf(v, `${prefix}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => formFieldsOf(v, prefix ? `${prefix}[${k}]` : k));
  if (!prefix) return [];
  return [[prefix, value === null || value === undefined ? '' : String(value)]];
}

/**
 * The strings samples of one request carry verbatim as quoted strings or whole lines: its URL,
 * header values, body lines, and the body's keys and string values.
 */
export function sampleLiterals(req: SampleRequest): string[] {
  const body = bodyKind(req.body);
  const out = [req.url, ...req.headers.map(([, v]) => v)];
  if (body?.kind === 'json' || body?.kind === 'text') out.push(...body.text.split('\n').map((l) => l.trim()));
  if (body?.kind === 'json') out.push(...stringsIn(body.value));
  if (body?.kind === 'form' || body?.kind === 'multipart') out.push(...body.fields.flat());
  return out;
}

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out);
    }
  }
  return out;
}

/** The languages of the code panel, in tab order. */
export const SAMPLE_LANGUAGES = [
  { lang: 'curl', grammar: 'shellscript', label: 'curl', write: curl },
  { lang: 'javascript', grammar: 'javascript', label: 'JavaScript', write: javascript },
  { lang: 'python', grammar: 'python', label: 'Python', write: python },
  { lang: 'go', grammar: 'go', label: 'Go', write: go },
  { lang: 'java', grammar: 'java', label: 'Java', write: java },
  { lang: 'csharp', grammar: 'csharp', label: 'C#', write: csharp },
  { lang: 'php', grammar: 'php', label: 'PHP', write: php },
  { lang: 'ruby', grammar: 'ruby', label: 'Ruby', write: ruby },
] as const;

/**
 * The request in curl, fetch, Python requests, Go net/http, Java HttpClient, C# HttpClient, PHP curl
 * and Ruby Net::HTTP. Credentials come from environment variables, never literals; a form-encoded
 * body is sent form-encoded and a multipart body as parts, with the library's own boundary.
 */
export function codeSamples(req: SampleRequest): CodeSample[] {
  const body = bodyKind(req.body);
  const omitted = req.body?.omittedFields ?? 0;
  return SAMPLE_LANGUAGES.map(({ lang, grammar, label, write }) => ({ lang, grammar, label, code: withOmittedNote(lang, write(req, body), omitted) }));
}

/** One comment line, in the sample's language, on the optional fields a capped sample leaves out. */
function withOmittedNote(lang: string, code: string, omitted: number): string {
  if (omitted === 0) return code;
  const words = `${omitted} optional ${omitted === 1 ? 'field is' : 'fields are'} left out; the request body section lists them all.`;
  const note = `${lang === 'curl' || lang === 'python' || lang === 'ruby' ? '#' : '//'} ${words}`;
  // PHP: a comment before `<?php` would be printed as text.
  if (lang === 'php' && code.startsWith('<?php\n')) return code.replace('<?php\n', `<?php\n${note}\n`);
  return `${note}\n${code}`;
}
