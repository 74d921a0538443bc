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
  log.error(`unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { requestId, error: err });
  return problemResponse(500, 'internal', `Something went wrong on our side. Try again; if it persists, tell the portal team${requestId ? ` and give them the request id ${requestId}` : ''}.`, {}, members);
}

const MAX_JSON_BYTES = 64 * 1024;

/**
 * Reads a JSON object body. Only `application/json` is accepted: a cross-site form cannot send it
 * without a CORS preflight, which the portal never grants.
 */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ProblemError(415, 'json-only', 'Send the request body as application/json.');
  const text = await request.text();
  if (text.length > MAX_JSON_BYTES) throw new ProblemError(413, 'body-too-large', `The request body is larger than ${MAX_JSON_BYTES / 1024} KiB.`);
  let value: unknown;
  try {
    value = text ? JSON.parse(text) : {};
  } catch {
    throw new ProblemError(400, 'invalid-json', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProblemError(400, 'invalid-json', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}
