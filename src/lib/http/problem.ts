import { ProblemError } from '../errors.ts';
import { log } from '../observability/log.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

/** An RFC 9457 problem document as a Response; `members` are extension members (the requestId). */
export function problemResponse(status: number, code: string, detail: string, headers: Record<string, string> = {}, members: Record<string, unknown> = {}): Response {
  const body = { type: `https://portico.dev/problems/${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...members };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers } });
}

/** A JSON Response that is never cached. */
export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
}

/**
 * Turns anything thrown by a handler into a problem response carrying the request's id.
 * Unexpected errors are logged with that id, and only the id reaches the client: never the message or stack.
 */
export function errorToResponse(err: unknown, requestId?: string): Response {
  const members = requestId ? { requestId } : {};
  if (err instanceof ProblemError) return problemResponse(err.status, err.code, err.message, err.headers, members);
  if (isDatabaseUnavailable(err)) {
    log.warn('the database is not answering', { requestId, error: describeCause(err) });
    return databaseUnavailable(members);
  }
  log.error(`unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { requestId, error: err });
  return problemResponse(
    500,
    'internal',
    `Something went wrong on our side. Try again; if it persists, tell the portal team${requestId ? ` and give them the request id ${requestId}` : ''}.`,
    {},
    members,
  );
}

const MAX_JSON_BYTES = 64 * 1024;
/** Deepest nesting of arrays and objects a request body may have; Portico's own bodies are two or three levels deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * Reads a JSON object body. Only `application/json` is accepted: a cross-site form cannot send it
 * without a CORS preflight, which the portal never grants.
 */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ProblemError(415, 'json-only', 'Send the request body as application/json.');
  const bytes = await readBodyWithin(request, MAX_JSON_BYTES, () => new ProblemError(413, 'body-too-large', `The request body is larger than ${MAX_JSON_BYTES / 1024} KiB.`));
  const text = new TextDecoder().decode(bytes);
  // Checked before parsing: every recursive walk after JSON.parse (the NUL check, validation) would
  // overflow the stack on 20,000 levels, and a stack overflow is a 500 with a trace in the log.
  if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ProblemError(400, 'json-too-deep', `The request body is nested too deeply: at most ${MAX_JSON_DEPTH} levels of arrays and objects are accepted.`);
  }
  let value: unknown;
  try {
    value = text ? JSON.parse(text) : {};
  } catch {
    throw new ProblemError(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProblemError(400, 'invalid-json', 'The request body must be a JSON object.');
  const where = findNulCharacter(value, '');
  if (where !== undefined) throw new ProblemError(400, 'nul-character', `The request body has a NUL character (\\u0000) in ${where}; the portal cannot store one.`);
  return value as Record<string, unknown>;
}

/**
 * How deeply arrays and objects nest in JSON text, counting no further than one past `limit`.
 * A scan of the text without parsing it: brackets inside strings do not count, and it never recurses.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Where in a parsed JSON value a string or a member name holds U+0000 (`email`, `groups[2]`), if
 * anywhere. PostgreSQL text cannot hold it, so it would otherwise end as a failed query and a 500.
 */
function findNulCharacter(value: unknown, path: string): string | undefined {
  const here = path || 'the body';
  if (typeof value === 'string') return value.includes('\0') ? here : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNulCharacter(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      const member = path ? `${path}.${name}` : name;
      if (name.includes('\0')) return `the name of a member of ${here}`;
      const found = findNulCharacter(item, member);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Reads a request body of at most `maxBytes`, throwing `tooLarge()` as soon as the body is known to
 * be larger: at once when its Content-Length says so, otherwise when that many bytes have come in.
 * Reading everything before checking would let anyone, signed in or not, hold a request open with a
 * body that never ends and make the server buffer it.
 * The rest of a refused body is left unread rather than cancelled: cancelling destroys Node's
 * request and its connection with it, so the 413 could be lost on the way to the client.
 */
export async function readBodyWithin(request: Request, maxBytes: number, tooLarge: () => ProblemError): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch {
        // The client went away or broke off mid-body (or the server's own limit in astro.config.mjs cut it).
        throw new ProblemError(400, 'body-unreadable', 'The request body could not be read to its end: the connection broke off while sending it.');
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(next.value);
    }
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

// Connection failures and server shutdowns (SQLSTATE class 08, 57P01-57P03) from postgres.js and
// the socket: the database restarts or is away, which is temporary and says nothing about the request.
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether `err` (or what caused it: drizzle wraps the driver's error) says the database cannot be reached. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}

function describeCause(err: unknown): string {
  let e: unknown = err;
  while (e && typeof e === 'object' && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
}

/** The answer while the database is away: temporary, nothing was changed, try again shortly. */
export function databaseUnavailable(members: Record<string, unknown> = {}): Response {
  return problemResponse(
    503,
    'database-unavailable',
    "The portal's database is not answering right now (it may be restarting). Nothing was changed; try again in a few seconds.",
    { 'retry-after': '5' },
    members,
  );
}
