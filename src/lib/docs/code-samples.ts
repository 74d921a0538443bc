import type { OpenApiObject, Operation, Server } from '../catalog/model.ts';
import { requestUrl } from './request-url.ts';
import { credentialFor, type Credential } from './security.ts';

/** The code samples of an operation page. */
export interface CodeSample {
  /** `curl`, `javascript`, `python`. */
  lang: string;
  label: string;
  code: string;
}

/** What a sample needs: the request as a consumer would send it. */
export interface SampleRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: { mediaType: string; value: unknown };
  credential?: Credential;
}

/** The request a sample sends: the first server, path parameters as placeholders, required query parameters, credentials. */
export function sampleRequest(operation: Operation, servers: Server[], schemes: Record<string, OpenApiObject>, body?: { mediaType: string; value: unknown }): SampleRequest {
  const server = (operation.servers ?? servers)[0];
  let base = server?.url ?? 'https://api.example.com';
  for (const [name, variable] of Object.entries(server?.variables ?? {})) base = base.replaceAll(`{${name}}`, variable.default);
  base = base.replace(/\/+$/, '');
  const query: Array<[string, string]> = [];
  const headers: Array<[string, string]> = [];
  for (const p of operation.parameters) {
    if (p.in === 'query' && p.required === true) query.push([String(p.name), knownValue(p) ?? String(p.name).toUpperCase()]);
    if (p.in === 'header' && p.required === true) headers.push([String(p.name), knownValue(p) ?? `<${String(p.name)}>`]);
  }
  const credential = credentialFor(operation.security, schemes);
  if (credential?.where === 'query') query.push([credential.name, credential.value]);
  if (credential?.where === 'header') headers.push([credential.name, credential.value]);
  if (credential?.where === 'cookie') headers.push(['Cookie', `${credential.name}=${credential.value}`]);
  if (body) headers.push(['Content-Type', body.mediaType]);
  return { method: operation.method.toUpperCase(), url: requestUrl(base, operation.path, query), headers, body, credential };
}

/** The one value a parameter can take (`const`, or an `enum` of one, as AWS's `Action` and `Version`), else undefined. */
function knownValue(parameter: OpenApiObject): string | undefined {
  const schema = parameter.schema !== null && typeof parameter.schema === 'object' ? (parameter.schema as OpenApiObject) : {};
  const only = schema.const !== undefined ? schema.const : Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined;
  return only === undefined || (only !== null && typeof only === 'object') ? undefined : String(only);
}

const isJson = (mediaType: string) => /json/i.test(mediaType);

function bodyText(body: SampleRequest['body']): string {
  if (!body) return '';
  return isJson(body.mediaType) ? JSON.stringify(body.value ?? {}, null, 2) : typeof body.value === 'string' ? body.value : JSON.stringify(body.value ?? '');
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** curl, fetch and Python requests versions of one request; credentials come from environment variables, never literals. */
export function codeSamples(req: SampleRequest): CodeSample[] {
  const body = bodyText(req.body);

  const curl = [`curl -X ${req.method} ${req.url.includes('$') ? `"${req.url}"` : shellQuote(req.url)}`];
  for (const [k, v] of req.headers) curl.push(`  -H ${v.includes('$') ? `"${k}: ${v}"` : shellQuote(`${k}: ${v}`)}`);
  if (req.credential?.where === 'basic') curl.push('  -u "$API_USER:$API_PASSWORD"');
  if (req.body) curl.push(`  --data ${shellQuote(body)}`);

  const jsUrl = req.url.includes('$') ? `\`${req.url.replace(/\$([A-Z_]+)/g, '${process.env.$1}')}\`` : JSON.stringify(req.url);
  const jsHeaders = req.headers.map(([k, v]) => `    ${JSON.stringify(k)}: ${v.includes('$') ? `\`${v.replace(/\$([A-Z_]+)/g, '${process.env.$1}')}\`` : JSON.stringify(v)},`);
  if (req.credential?.where === 'basic') jsHeaders.push('    Authorization: `Basic ${btoa(`${process.env.API_USER}:${process.env.API_PASSWORD}`)}`,');
  const js = [
    `const response = await fetch(${jsUrl}, {`,
    `  method: ${JSON.stringify(req.method)},`,
    ...(jsHeaders.length ? ['  headers: {', ...jsHeaders, '  },'] : []),
    ...(req.body ? [isJson(req.body.mediaType) ? `  body: JSON.stringify(${body.replace(/\n/g, '\n  ')}),` : `  body: ${JSON.stringify(body)},`] : []),
    '});',
    'console.log(response.status, await response.text());',
  ];

  const pyVal = (v: string) => (v.includes('$') ? `f"${v.replace(/\$([A-Z_]+)/g, "{os.environ['$1']}")}"` : JSON.stringify(v));
  const needsOs = req.url.includes('$') || req.headers.some(([, v]) => v.includes('$')) || req.credential?.where === 'basic';
  const py = [
    ...(needsOs ? ['import os', ''] : []),
    'import requests',
    '',
    'response = requests.request(',
    `    ${JSON.stringify(req.method)},`,
    `    ${pyVal(req.url)},`,
    ...(req.headers.length ? [`    headers={${req.headers.map(([k, v]) => `${JSON.stringify(k)}: ${pyVal(v)}`).join(', ')}},`] : []),
    ...(req.credential?.where === 'basic' ? ["    auth=(os.environ['API_USER'], os.environ['API_PASSWORD']),"] : []),
    ...(req.body ? [isJson(req.body.mediaType) ? `    json=${toPython(req.body.value ?? {}, 1)},` : `    data=${JSON.stringify(body)},`] : []),
    ')',
    'print(response.status_code, response.text)',
  ];
  return [
    { lang: 'curl', label: 'curl', code: curl.join(' \\\n') },
    { lang: 'javascript', label: 'JavaScript (fetch)', code: js.join('\n') },
    { lang: 'python', label: 'Python (requests)', code: py.join('\n') },
  ];
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
