// The request a Try it form describes, the relay URL it goes through, and the same request as a
// curl command. Plain functions of the form's values: no DOM, so they are tested on their own.
import type { TryItAuth, TryItSpec } from '../../lib/docs/try-it.ts';
import { withoutFragment } from '../../lib/docs/request-url.ts';
import { RELAY_COOKIE_HEADER, RELAY_PATH } from '../../lib/relay/path.ts';

/** What a person filled in. */
export interface FormValues {
  server: string;
  /** By `${in}:${name}`, so a path and a query parameter may share a name. */
  parameters: Record<string, string>;
  body?: string;
  /** The key or token; for HTTP Basic, `user:password`. */
  credential?: string;
}

export interface BuiltRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** The key a parameter's value is kept under in FormValues. */
export const parameterKey = (p: { in: string; name: string }) => `${p.in}:${p.name}`;

const LOCATION_WORDS: Record<string, string> = { path: 'path parameter', query: 'query parameter', header: 'header', cookie: 'cookie' };

/**
 * Builds the request, or says in words what is missing. `lenient` builds it anyway (for the curl
 * command shown while the form is being filled in): an empty path parameter stays `{name}`.
 */
export function buildRequest(spec: TryItSpec, values: FormValues, options: { lenient?: boolean } = {}): BuiltRequest | { problem: string } {
  const missing = spec.parameters.filter((p) => p.required && !(values.parameters[parameterKey(p)] ?? '').trim());
  if (missing.length > 0 && !options.lenient) return { problem: `Fill in ${missing.map((p) => `${p.name} (${LOCATION_WORDS[p.in] ?? p.in})`).join(', ')}.` };
  let path = spec.path;
  const query = new URLSearchParams();
  const headers: Array<[string, string]> = [];
  const cookies: string[] = [];
  for (const p of spec.parameters) {
    const value = values.parameters[parameterKey(p)] ?? '';
    if (p.in === 'path') path = value === '' ? path : path.split(`{${p.name}}`).join(encodeURIComponent(value));
    else if (value === '') continue;
    else if (p.in === 'query') query.append(p.name, value);
    else if (p.in === 'header') headers.push([p.name, value]);
    else if (p.in === 'cookie') cookies.push(`${p.name}=${value}`);
  }
  const credential = values.credential?.trim();
  if (credential && spec.auth) {
    const sent = credentialParts(spec.auth, credential);
    if (sent.query) query.append(...sent.query);
    if (sent.header) headers.push(sent.header);
    if (sent.cookie) cookies.push(sent.cookie);
  }
  let body: string | undefined;
  if (spec.body && values.body !== undefined && values.body.trim() !== '') {
    if (/json/i.test(spec.body.mediaType) && !options.lenient) {
      try {
        JSON.parse(values.body);
      } catch (err) {
        return { problem: `The body is not valid JSON: ${(err as Error).message}` };
      }
    }
    body = values.body;
    headers.push(['Content-Type', spec.body.mediaType]);
  } else if (spec.body?.required && !options.lenient) {
    return { problem: 'This operation needs a request body.' };
  }
  // A path's fragment (AWS: `/#Action=DescribeRegions`) is never sent; its pairs go in the query.
  const split = withoutFragment(path);
  for (const [name, value] of split.query) if (!query.has(name)) query.append(name, value);
  const qs = query.toString();
  const url = `${values.server.replace(/\/+$/, '')}${split.path}${qs ? `?${qs}` : ''}`;
  return { method: spec.method, url, headers: cookies.length ? [...headers, ['Cookie', cookies.join('; ')]] : headers, ...(body !== undefined ? { body } : {}) };
}

/** Where a credential goes for a scheme. */
function credentialParts(auth: TryItAuth, credential: string): { header?: [string, string]; query?: [string, string]; cookie?: string } {
  if (auth.kind === 'apiKey') {
    if (auth.in === 'query') return { query: [auth.name, credential] };
    if (auth.in === 'cookie') return { cookie: `${auth.name}=${credential}` };
    return { header: [auth.name, credential] };
  }
  if (auth.kind === 'basic') return { header: ['Authorization', `Basic ${btoa(credential)}`] };
  return { header: ['Authorization', `Bearer ${credential}`] };
}

/** The headers the browser sends to the relay: a page may not set Cookie, so cookies travel in the relay's cookie header. */
export function relayHeaders(request: BuiltRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers) headers.append(name.toLowerCase() === 'cookie' ? RELAY_COOKIE_HEADER : name, value);
  return headers;
}

/** The same-origin relay address that carries a request to its target (the relay calls only servers the specs declare). */
export function relayUrl(target: string): string {
  return `${RELAY_PATH}?url=${encodeURIComponent(target)}`;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The request as a curl command to copy. The credential is never written out: the command reads
 * it from $API_KEY ($TOKEN for a bearer token, $API_USER and $API_PASSWORD for HTTP Basic), so a
 * copied command leaks nothing.
 */
export function curlCommand(request: BuiltRequest, auth: TryItAuth | undefined, credential: string | undefined): string {
  const secret = credential?.trim() || undefined;
  const variable = auth?.kind === 'bearer' ? '$TOKEN' : '$API_KEY';
  const arg = (text: string): string => {
    if (!secret || (!text.includes(secret) && !text.includes(encodeURIComponent(secret)))) return shellQuote(text);
    // Double quotes so the shell expands the variable; everything else stays literal.
    const parts = text.split(encodeURIComponent(secret)).join(secret).split(secret);
    return `"${parts.map((part) => part.replace(/(["\\`$])/g, '\\$1')).join(variable)}"`;
  };
  const basic = auth?.kind === 'basic' && secret !== undefined;
  const lines = [`curl -X ${request.method} ${arg(request.url)}`];
  for (const [name, value] of request.headers) {
    if (basic && name === 'Authorization') continue;
    lines.push(`  -H ${arg(`${name}: ${value}`)}`);
  }
  if (basic) lines.push('  -u "$API_USER:$API_PASSWORD"');
  if (request.body !== undefined) lines.push(`  --data ${shellQuote(request.body)}`);
  return lines.join(' \\\n');
}
