import type { OpenApiObject, Operation, Server } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { requestUrl } from './request-url.ts';
import { credentialFor, type Credential } from './security.ts';
import { isObject } from '../util/is-object.ts';

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
}

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
    return { mediaType, value, fileParts };
  }
  return { mediaType, value, binary: /^(application\/octet-stream|image\/|audio\/|video\/|application\/(pdf|zip|gzip))/i.test(mediaType) || isFileSchema(schema) };
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
type BodyKind =
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
    const fields = flattenFields(isObject(value) ? Object.fromEntries(Object.entries(value).filter(([k]) => !files.has(k))) : {});
    return { kind: 'multipart', fields, files: [...files].map((name) => [name, `${name}.bin`]) };
  }
  if (/^application\/x-www-form-urlencoded/i.test(mediaType)) {
    const fields = typeof value === 'string' ? [...new URLSearchParams(value)] : flattenFields(value);
    return { kind: 'form', mediaType: 'application/x-www-form-urlencoded', fields };
  }
  if (body.binary) return { kind: 'file', mediaType, file: 'body.bin' };
  if (isJson(mediaType)) return { kind: 'json', mediaType, text: JSON.stringify(value ?? {}, null, 2), value: value ?? {} };
  return { kind: 'text', mediaType, text: typeof value === 'string' ? value : JSON.stringify(value ?? '') };
}

/** Form fields as Stripe, Twilio and Slack read them: nested objects and arrays in brackets. */
function flattenFields(value: unknown, prefix = ''): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => flattenFields(v, `${prefix}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => flattenFields(v, prefix ? `${prefix}[${k}]` : k));
  if (!prefix) return [];
  return [[prefix, value === null || value === undefined ? '' : String(value)]];
}

/** A string cut into literal text and `$NAME` environment variables (credentials are never literals). */
type Piece = { text: string } | { env: string };
function pieces(s: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of s.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)) {
    if (m.index > last) out.push({ text: s.slice(last, m.index) });
    out.push({ env: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < s.length || out.length === 0) out.push({ text: s.slice(last) });
  return out;
}
const hasEnv = (s: string) => pieces(s).some((p) => 'env' in p);
/** The variable's name when the whole string is one `$NAME`: samples then read it without a template. */
const onlyEnv = (s: string) => /^\$([A-Z_][A-Z0-9_]*)$/.exec(s)?.[1];

/** A string expression in a language whose literal is JSON-compatible, with environment reads joined by `join`. */
function concat(s: string, read: (name: string) => string, quote: (t: string) => string = JSON.stringify, join = ' + '): string {
  return pieces(s)
    .map((p) => ('env' in p ? read(p.env) : quote(p.text)))
    .join(join);
}

const ENV_USER = 'API_USER';
const ENV_PASSWORD = 'API_PASSWORD';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A shell word: single-quoted, or double-quoted when it reads `$NAME` (with the rest escaped). */
const shellWord = (s: string) =>
  hasEnv(s)
    ? `"${pieces(s)
        .map((p) => ('env' in p ? `$${p.env}` : p.text.replace(/[\\"`$]/g, '\\$&')))
        .join('')}"`
    : shellQuote(s);

function curl(req: SampleRequest, body: BodyKind | undefined): string {
  const lines = [`curl -X ${req.method} ${shellWord(req.url)}`];
  for (const [k, v] of req.headers) lines.push(`  -H ${shellWord(`${k}: ${v}`)}`);
  if (req.credential?.where === 'basic') lines.push(`  -u "$${ENV_USER}:$${ENV_PASSWORD}"`);
  if (body?.kind === 'json' || body?.kind === 'text') lines.push(`  -H ${shellQuote(`Content-Type: ${body.mediaType}`)}`, `  --data ${shellQuote(body.text)}`);
  if (body?.kind === 'file') lines.push(`  -H ${shellQuote(`Content-Type: ${body.mediaType}`)}`, `  --data-binary @${body.file}`);
  if (body?.kind === 'form') for (const [k, v] of body.fields) lines.push(`  --data-urlencode ${shellQuote(`${k}=${v}`)}`);
  if (body?.kind === 'multipart') {
    for (const [k, v] of body.fields) lines.push(`  --form-string ${shellQuote(`${k}=${v}`)}`);
    for (const [k, f] of body.files) lines.push(`  -F ${shellQuote(`${k}=@${f}`)}`);
  }
  return lines.join(' \\\n');
}

function javascript(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `process.env.${onlyEnv(s)}`
      : hasEnv(s)
        ? `\`${pieces(s)
            .map((p) => ('env' in p ? `\${process.env.${p.env}}` : p.text.replace(/[\\`$]/g, '\\$&')))
            .join('')}\``
        : JSON.stringify(s);
  const headers = req.headers.map(([k, v]) => `    ${JSON.stringify(k)}: ${str(v)},`);
  if (req.credential?.where === 'basic') headers.push(`    Authorization: \`Basic \${btoa(\`\${process.env.${ENV_USER}}:\${process.env.${ENV_PASSWORD}}\`)}\`,`);
  if (body && body.kind !== 'form' && body.kind !== 'multipart') headers.push(`    "Content-Type": ${JSON.stringify(body.mediaType)},`);
  const pre: string[] = [];
  let bodyLine: string | undefined;
  if (body?.kind === 'json') bodyLine = `  body: JSON.stringify(${body.text.replace(/\n/g, '\n  ')}),`;
  if (body?.kind === 'text') bodyLine = `  body: ${JSON.stringify(body.text)},`;
  if (body?.kind === 'file') {
    pre.push('import { openAsBlob } from "node:fs";', '');
    bodyLine = `  body: await openAsBlob(${JSON.stringify(body.file)}),`;
  }
  if (body?.kind === 'form') bodyLine = `  body: new URLSearchParams(${jsObject(body.fields, '  ')}),`;
  if (body?.kind === 'multipart') {
    if (body.files.length) pre.push('import { openAsBlob } from "node:fs";', '');
    pre.push('const form = new FormData();');
    for (const [k, v] of body.fields) pre.push(`form.append(${JSON.stringify(k)}, ${JSON.stringify(v)});`);
    for (const [k, f] of body.files) pre.push(`form.append(${JSON.stringify(k)}, await openAsBlob(${JSON.stringify(f)}), ${JSON.stringify(f)});`);
    pre.push('');
    bodyLine = '  body: form, // fetch sets the multipart Content-Type with its boundary';
  }
  return [
    ...pre,
    `const response = await fetch(${str(req.url)}, {`,
    `  method: ${JSON.stringify(req.method)},`,
    ...(headers.length ? ['  headers: {', ...headers, '  },'] : []),
    ...(bodyLine ? [bodyLine] : []),
    '});',
    'console.log(response.status, await response.text());',
  ].join('\n');
}

function jsObject(fields: Array<[string, string]>, indent: string): string {
  if (fields.length === 0) return '{}';
  return `{\n${fields.map(([k, v]) => `${indent}  ${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')}\n${indent}}`;
}

function python(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `os.environ['${onlyEnv(s)}']`
      : hasEnv(s)
        ? `f${JSON.stringify(
            pieces(s)
              .map((p) => ('env' in p ? `\u0000${p.env}\u0001` : p.text.replace(/[{}]/g, '$&$&')))
              .join(''),
          ).replace(/\\u0000([A-Z0-9_]+)\\u0001/g, "{os.environ['$1']}")}`
        : JSON.stringify(s);
  const needsOs = hasEnv(req.url) || req.headers.some(([, v]) => hasEnv(v)) || req.credential?.where === 'basic';
  const headers: Array<[string, string]> = req.headers.map(([k, v]) => [k, str(v)]);
  if (body && (body.kind === 'json' || body.kind === 'text' || body.kind === 'file')) headers.push(['Content-Type', JSON.stringify(body.mediaType)]);
  const pre: string[] = [];
  const args: string[] = [];
  if (headers.length) args.push(`headers={${headers.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}},`);
  if (req.credential?.where === 'basic') args.push(`auth=(os.environ['${ENV_USER}'], os.environ['${ENV_PASSWORD}']),`);
  if (body?.kind === 'json') args.push(`json=${toPython(body.value, 1)},`);
  if (body?.kind === 'text') args.push(`data=${JSON.stringify(body.text)},`);
  if (body?.kind === 'file') {
    pre.push(`with open(${JSON.stringify(body.file)}, "rb") as f:`, '    content = f.read()', '');
    args.push('data=content,');
  }
  if (body?.kind === 'form' || (body?.kind === 'multipart' && body.fields.length)) args.push(`data=${pyDict(body.fields)},`);
  if (body?.kind === 'multipart') args.push(`files={${body.files.map(([k, f]) => `${JSON.stringify(k)}: open(${JSON.stringify(f)}, "rb")`).join(', ')}},`);
  return [
    ...(needsOs ? ['import os', ''] : []),
    'import requests',
    '',
    ...pre,
    'response = requests.request(',
    `    ${JSON.stringify(req.method)},`,
    `    ${str(req.url)},`,
    ...args.map((a) => `    ${a}`),
    ')',
    'print(response.status_code, response.text)',
  ].join('\n');
}

function pyDict(fields: Array<[string, string]>): string {
  return fields.length === 0 ? '{}' : `{\n${fields.map(([k, v]) => `        ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')}\n    }`;
}

/** A JSON value as a Python literal (True/False/None), indented like the surrounding call. */
function toPython(value: unknown, level: number): string {
  const pad = '    '.repeat(level + 1);
  const end = '    '.repeat(level);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((v) => `${pad}${toPython(v, level + 1)}`).join(',\n')},\n${end}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${toPython(v, level + 1)}`).join(',\n')},\n${end}}`;
  }
  return JSON.stringify(value);
}

function go(req: SampleRequest, body: BodyKind | undefined): string {
  const imports = new Set(['fmt', 'io', 'net/http']);
  const str = (s: string) => {
    if (hasEnv(s)) imports.add('os');
    return concat(s, (n) => `os.Getenv(${JSON.stringify(n)})`);
  };
  const lines: string[] = [];
  let bodyArg = 'nil';
  const contentType: string[] = [];
  if (body?.kind === 'json' || body?.kind === 'text') {
    imports.add('strings');
    lines.push(`\tbody := strings.NewReader(${body.text.includes('`') ? JSON.stringify(body.text) : `\`${body.text}\``})`);
    bodyArg = 'body';
    contentType.push(`\treq.Header.Set("Content-Type", ${JSON.stringify(body.mediaType)})`);
  }
  if (body?.kind === 'file') {
    imports.add('os');
    lines.push(`\tbody, err := os.Open(${JSON.stringify(body.file)})`, ...goCheck('\t'), '\tdefer body.Close()');
    bodyArg = 'body';
    contentType.push(`\treq.Header.Set("Content-Type", ${JSON.stringify(body.mediaType)})`);
  }
  if (body?.kind === 'form') {
    imports.add('net/url').add('strings');
    lines.push('\tform := url.Values{}');
    for (const [k, v] of body.fields) lines.push(`\tform.Add(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
    lines.push('\tbody := strings.NewReader(form.Encode())');
    bodyArg = 'body';
    contentType.push('\treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")');
  }
  if (body?.kind === 'multipart') {
    imports.add('bytes').add('mime/multipart');
    lines.push('\tvar body bytes.Buffer', '\tform := multipart.NewWriter(&body)');
    for (const [k, v] of body.fields) lines.push(`\tform.WriteField(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
    for (const [k, f] of body.files) {
      imports.add('os');
      const v = goIdent(k);
      lines.push(
        `\t${v}Data, err := os.Open(${JSON.stringify(f)})`,
        ...goCheck('\t'),
        `\tdefer ${v}Data.Close()`,
        `\t${v}Part, err := form.CreateFormFile(${JSON.stringify(k)}, ${JSON.stringify(f)})`,
        ...goCheck('\t'),
        `\tio.Copy(${v}Part, ${v}Data)`,
      );
    }
    lines.push('\tform.Close()');
    bodyArg = '&body';
    contentType.push('\treq.Header.Set("Content-Type", form.FormDataContentType())');
  }
  lines.push(`\treq, err := http.NewRequest(${JSON.stringify(req.method)}, ${str(req.url)}, ${bodyArg})`, ...goCheck('\t'));
  lines.push(...contentType);
  for (const [k, v] of req.headers) lines.push(`\treq.Header.Set(${JSON.stringify(k)}, ${str(v)})`);
  if (req.credential?.where === 'basic') {
    imports.add('os');
    lines.push(`\treq.SetBasicAuth(os.Getenv("${ENV_USER}"), os.Getenv("${ENV_PASSWORD}"))`);
  }
  lines.push('\tres, err := http.DefaultClient.Do(req)', ...goCheck('\t'), '\tdefer res.Body.Close()', '\tout, _ := io.ReadAll(res.Body)', '\tfmt.Println(res.StatusCode, string(out))');
  return ['package main', '', 'import (', ...[...imports].sort().map((i) => `\t"${i}"`), ')', '', 'func main() {', ...lines, '}'].join('\n');
}

const goCheck = (indent: string) => [`${indent}if err != nil {`, `${indent}\tpanic(err)`, `${indent}}`];
const goIdent = (name: string) => {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const id = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return /^[A-Za-z]/.test(id) ? id : `part${id}`;
};

function java(req: SampleRequest, body: BodyKind | undefined): string {
  const imports = new Set(['java.net.URI', 'java.net.http.HttpClient', 'java.net.http.HttpRequest', 'java.net.http.HttpResponse']);
  const str = (s: string) => concat(s, (n) => `System.getenv(${JSON.stringify(n)})`);
  const pre: string[] = [];
  const builder: string[] = [];
  for (const [k, v] of req.headers) builder.push(`.header(${JSON.stringify(k)}, ${str(v)})`);
  if (req.credential?.where === 'basic') {
    imports.add('java.util.Base64');
    builder.push(`.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((System.getenv("${ENV_USER}") + ":" + System.getenv("${ENV_PASSWORD}")).getBytes()))`);
  }
  let publisher = 'HttpRequest.BodyPublishers.noBody()';
  if (body?.kind === 'json' || body?.kind === 'text') {
    builder.push(`.header("Content-Type", ${JSON.stringify(body.mediaType)})`);
    publisher = body.text.includes('\n')
      ? `HttpRequest.BodyPublishers.ofString("""\n${body.text
          .replace(/\\/g, '\\\\')
          .replace(/"""/g, '\\"""')
          .split('\n')
          .map((l) => `                ${l}`)
          .join('\n')}""")`
      : `HttpRequest.BodyPublishers.ofString(${JSON.stringify(body.text)})`;
  }
  if (body?.kind === 'file') {
    imports.add('java.nio.file.Path');
    builder.push(`.header("Content-Type", ${JSON.stringify(body.mediaType)})`);
    publisher = `HttpRequest.BodyPublishers.ofFile(Path.of(${JSON.stringify(body.file)}))`;
  }
  if (body?.kind === 'form') {
    // Encoded here, when the page is built: the values are the example's, so the string is final.
    builder.push('.header("Content-Type", "application/x-www-form-urlencoded")');
    publisher = `HttpRequest.BodyPublishers.ofString(${JSON.stringify(new URLSearchParams(body.fields).toString())})`;
  }
  if (body?.kind === 'multipart') {
    imports.add('java.io.ByteArrayOutputStream').add('java.util.UUID');
    if (body.files.length) imports.add('java.nio.file.Files').add('java.nio.file.Path');
    pre.push('        String boundary = "portico-" + UUID.randomUUID();', '        var body = new ByteArrayOutputStream();');
    for (const [k, v] of body.fields)
      pre.push(`        body.write(("--" + boundary + "\\r\\nContent-Disposition: form-data; name=${javaEsc(JSON.stringify(k))}\\r\\n\\r\\n${JSON.stringify(v).slice(1, -1)}\\r\\n").getBytes());`);
    for (const [k, f] of body.files) {
      pre.push(
        `        body.write(("--" + boundary + "\\r\\nContent-Disposition: form-data; name=${javaEsc(JSON.stringify(k))}; filename=${javaEsc(JSON.stringify(f))}\\r\\nContent-Type: application/octet-stream\\r\\n\\r\\n").getBytes());`,
      );
      pre.push(`        body.write(Files.readAllBytes(Path.of(${JSON.stringify(f)})));`, '        body.write("\\r\\n".getBytes());');
    }
    pre.push('        body.write(("--" + boundary + "--\\r\\n").getBytes());', '');
    builder.push('.header("Content-Type", "multipart/form-data; boundary=" + boundary)');
    publisher = 'HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())';
  }
  builder.push(`.method(${JSON.stringify(req.method)}, ${publisher})`, '.build();');
  return [
    ...[...imports].sort().map((i) => `import ${i};`),
    '',
    'public class Example {',
    '    public static void main(String[] args) throws Exception {',
    ...pre,
    `        HttpRequest request = HttpRequest.newBuilder(URI.create(${str(req.url)}))`,
    ...builder.map((b) => `            ${b}`),
    '        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());',
    '        System.out.println(response.statusCode() + " " + response.body());',
    '    }',
    '}',
  ].join('\n');
}

/** A quoted name inside a Java string literal: its quotes escaped again. */
const javaEsc = (quoted: string) => quoted.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function csharp(req: SampleRequest, body: BodyKind | undefined): string {
  const usings = new Set<string>();
  const str = (s: string) => concat(s, (n) => `Environment.GetEnvironmentVariable(${JSON.stringify(n)})`);
  const lines = ['using var client = new HttpClient();', `var request = new HttpRequestMessage(new HttpMethod(${JSON.stringify(req.method)}), ${str(req.url)});`];
  for (const [k, v] of req.headers) lines.push(`request.Headers.TryAddWithoutValidation(${JSON.stringify(k)}, ${str(v)});`);
  if (req.credential?.where === 'basic') {
    usings.add('System.Net.Http.Headers').add('System.Text');
    lines.push(
      `request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable("${ENV_USER}") + ":" + Environment.GetEnvironmentVariable("${ENV_PASSWORD}"))));`,
    );
  }
  if (body?.kind === 'json' || body?.kind === 'text') {
    usings.add('System.Text');
    const literal = body.text.includes('\n')
      ? `"""\n${body.text
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n    """`
      : JSON.stringify(body.text);
    lines.push(`request.Content = new StringContent(${literal}, Encoding.UTF8, ${JSON.stringify(body.mediaType)});`);
  }
  if (body?.kind === 'file') {
    usings.add('System.Net.Http.Headers');
    lines.push(
      `request.Content = new StreamContent(File.OpenRead(${JSON.stringify(body.file)}));`,
      `request.Content.Headers.ContentType = new MediaTypeHeaderValue(${JSON.stringify(body.mediaType)});`,
    );
  }
  if (body?.kind === 'form') {
    lines.push(`request.Content = new FormUrlEncodedContent(new Dictionary<string, string>\n{\n${body.fields.map(([k, v]) => `    [${JSON.stringify(k)}] = ${JSON.stringify(v)},`).join('\n')}\n});`);
  }
  if (body?.kind === 'multipart') {
    lines.push('var form = new MultipartFormDataContent();');
    for (const [k, v] of body.fields) lines.push(`form.Add(new StringContent(${JSON.stringify(v)}), ${JSON.stringify(k)});`);
    for (const [k, f] of body.files) lines.push(`form.Add(new StreamContent(File.OpenRead(${JSON.stringify(f)})), ${JSON.stringify(k)}, ${JSON.stringify(f)});`);
    lines.push('request.Content = form;');
  }
  lines.push('var response = await client.SendAsync(request);', 'Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");');
  return [...[...usings].sort().map((u) => `using ${u};`), ...(usings.size ? [''] : []), ...lines].join('\n');
}

function php(req: SampleRequest, body: BodyKind | undefined): string {
  const q = (s: string) => `'${s.replace(/[\\']/g, '\\$&')}'`;
  const str = (s: string) => concat(s, (n) => `getenv('${n}')`, q, ' . ');
  const headers = req.headers.map(([k, v]) => str(`${k}: ${v}`));
  const options: string[] = [`CURLOPT_CUSTOMREQUEST => ${q(req.method)},`];
  if (body?.kind === 'json' || body?.kind === 'text' || body?.kind === 'file') headers.push(q(`Content-Type: ${body.mediaType}`));
  if (headers.length) options.push(`CURLOPT_HTTPHEADER => [\n${headers.map((h) => `        ${h},`).join('\n')}\n    ],`);
  if (req.credential?.where === 'basic') options.push(`CURLOPT_USERPWD => getenv('${ENV_USER}') . ':' . getenv('${ENV_PASSWORD}'),`);
  if (body?.kind === 'json' || body?.kind === 'text') {
    const tag = body.kind === 'json' ? 'JSON' : 'BODY';
    options.push(
      body.text.includes('\n')
        ? `CURLOPT_POSTFIELDS => <<<'${tag}'\n${body.text
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}\n    ${tag},`
        : `CURLOPT_POSTFIELDS => ${q(body.text)},`,
    );
  }
  if (body?.kind === 'file') options.push(`CURLOPT_POSTFIELDS => file_get_contents(${q(body.file)}),`);
  if (body?.kind === 'form') options.push(`CURLOPT_POSTFIELDS => http_build_query([\n${body.fields.map(([k, v]) => `        ${q(k)} => ${q(v)},`).join('\n')}\n    ]),`);
  if (body?.kind === 'multipart') {
    // An array, not a string: PHP's curl then sends multipart/form-data with its boundary.
    options.push(
      `CURLOPT_POSTFIELDS => [\n${[...body.fields.map(([k, v]) => `        ${q(k)} => ${q(v)},`), ...body.files.map(([k, f]) => `        ${q(k)} => new CURLFile(${q(f)}),`)].join('\n')}\n    ],`,
    );
  }
  options.push('CURLOPT_RETURNTRANSFER => true,');
  return [
    '<?php',
    `$ch = curl_init(${str(req.url)});`,
    'curl_setopt_array($ch, [',
    ...options.map((o) => `    ${o}`),
    ']);',
    '$response = curl_exec($ch);',
    "echo curl_getinfo($ch, CURLINFO_HTTP_CODE), ' ', $response, PHP_EOL;",
  ].join('\n');
}

const RUBY_CLASSES: Record<string, string> = { GET: 'Get', POST: 'Post', PUT: 'Put', PATCH: 'Patch', DELETE: 'Delete', HEAD: 'Head', OPTIONS: 'Options', TRACE: 'Trace' };

function ruby(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `ENV['${onlyEnv(s)}']`
      : `"${pieces(s)
          .map((p) =>
            'env' in p
              ? `#{ENV['${p.env}']}`
              : JSON.stringify(p.text)
                  .slice(1, -1)
                  .replace(/#(?=[{$@])/g, '\\#'),
          )
          .join('')}"`;
  const cls = RUBY_CLASSES[req.method];
  const lines = [
    "require 'net/http'",
    '',
    `uri = URI(${str(req.url)})`,
    cls ? `request = Net::HTTP::${cls}.new(uri)` : `request = Net::HTTPGenericRequest.new(${JSON.stringify(req.method)}, true, true, uri)`,
  ];
  for (const [k, v] of req.headers) lines.push(`request[${JSON.stringify(k)}] = ${str(v)}`);
  if (req.credential?.where === 'basic') lines.push(`request.basic_auth(ENV['${ENV_USER}'], ENV['${ENV_PASSWORD}'])`);
  if (body?.kind === 'json' || body?.kind === 'text' || body?.kind === 'file') lines.push(`request["Content-Type"] = ${JSON.stringify(body.mediaType)}`);
  if (body?.kind === 'json' || body?.kind === 'text') {
    lines.push(
      body.text.includes('\n')
        ? `request.body = <<~'BODY'\n${body.text
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}\nBODY`
        : `request.body = ${str(body.text)}`,
    );
  }
  if (body?.kind === 'file') lines.push(`request.body = File.binread(${JSON.stringify(body.file)})`);
  if (body?.kind === 'form') lines.push(`request.set_form_data(\n${body.fields.map(([k, v]) => `  ${JSON.stringify(k)} => ${JSON.stringify(v)},`).join('\n')}\n)`);
  if (body?.kind === 'multipart') {
    const parts = [...body.fields.map(([k, v]) => `  [${JSON.stringify(k)}, ${JSON.stringify(v)}],`), ...body.files.map(([k, f]) => `  [${JSON.stringify(k)}, File.open(${JSON.stringify(f)})],`)];
    lines.push(`request.set_form([\n${parts.join('\n')}\n], 'multipart/form-data')`);
  }
  lines.push("response = Net::HTTP.start(uri.hostname, uri.port, use_ssl: uri.scheme == 'https') { |http| http.request(request) }", 'puts response.code, response.body');
  return lines.join('\n');
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
  return SAMPLE_LANGUAGES.map(({ lang, grammar, label, write }) => ({ lang, grammar, label, code: write(req, body) }));
}
