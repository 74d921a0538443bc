import type { IncomingHttpHeaders } from 'node:http';
import { ProblemError } from '../errors.ts';

/*
 * The relay answers on the portal's own origin, so whatever an API's server sends must reach the
 * browser as data, never as a document, a script, a worker or an instruction to the browser:
 * otherwise a hostile or compromised server declared in a spec could run script with a visitor's
 * session, or register a service worker over the whole portal (issue 14).
 */

/** Upstream answer headers that describe the data or the API's limits, and that browsers do not act on. */
const PASSED = new Set([
  'content-type',
  'content-encoding',
  'content-language',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
  'expires',
  'age',
  'vary',
  'allow',
  'retry-after',
  'deprecation',
  'sunset',
]);

/**
 * Extension headers (`X-...`) are the API's own (X-RateLimit-Remaining, X-Request-Id, the demo's
 * X-Portico-Demo) and pass, except these, which browsers act on or which the relay sets itself.
 */
const BROWSER_ACTED_X = new Set([
  'x-frame-options',
  'x-xss-protection',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-permitted-cross-domain-policies',
  'x-download-options',
  'x-ua-compatible',
  'x-content-security-policy',
  'x-webkit-csp',
  'x-sourcemap',
  'x-portico-relay',
]);

/**
 * The upstream answer headers the relay passes on: an allow-list. Never Set-Cookie,
 * Clear-Site-Data, CORS (Access-Control-*), CSP, Service-Worker-Allowed, Refresh, Link,
 * WWW-Authenticate (it would open the browser's password prompt on the portal), HSTS, Alt-Svc or
 * reporting endpoints. Location only on an answer that is not a redirect (a 201 naming what it
 * created): redirects are the relay's to follow or refuse.
 */
export function upstreamHeadersToPass(headers: IncomingHttpHeaders, status: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const passed = PASSED.has(name) || name.startsWith('ratelimit') || (name.startsWith('x-') && !BROWSER_ACTED_X.has(name)) || (name === 'location' && (status < 300 || status >= 400));
    if (passed) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Media types a browser shows as inert text: the only ones a relay answer may be displayed inline as. */
const INLINE_TYPES = new Set(['application/json', 'application/x-ndjson', 'application/jsonl', 'text/plain', 'text/csv']);

/**
 * May an answer of this Content-Type be shown inline? JSON (with `+json` types such as
 * problem+json), plain text and CSV; HTML, XHTML, SVG, XML, PDF, scripts, images, anything unknown
 * and an answer without a type are not: they are offered as downloads instead.
 */
export function isInlineSafeType(contentType: string | null | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return INLINE_TYPES.has(type) || /^application\/[\w.-]+\+json$/.test(type);
}

/** The policy on every relay answer: no script, no plug-in, no subresource, no form; an opaque origin. */
export const RELAY_ANSWER_CSP = "sandbox; default-src 'none'";

/**
 * Makes any relay answer (relayed or a refusal) inert: a sandboxing CSP, no MIME sniffing, no
 * embedding by other sites, and a download rather than a page for any type not inline-safe.
 * Works on a copy when the response's headers are immutable.
 */
export function withRelayAnswerHeaders(response: Response): Response {
  let answer = response;
  try {
    answer.headers.set('x-content-type-options', 'nosniff');
  } catch {
    answer = new Response(response.body, response);
  }
  answer.headers.set('x-content-type-options', 'nosniff');
  answer.headers.set('content-security-policy', RELAY_ANSWER_CSP);
  answer.headers.set('cross-origin-resource-policy', 'same-origin');
  if (isInlineSafeType(answer.headers.get('content-type'))) answer.headers.delete('content-disposition');
  else answer.headers.set('content-disposition', 'attachment');
  return answer;
}

/** Fetch destinations that would run what the relay returns as code on the portal's origin. */
const CODE_DESTINATIONS = new Set(['script', 'worker', 'sharedworker', 'serviceworker', 'audioworklet', 'paintworklet', 'sharedstorageworklet']);

/**
 * Refuses a request for a script or a worker: a service worker registered from `/relay?url=...`
 * would control every page of the portal (its scope is `/`). Browsers mark such fetches with
 * `Service-Worker: script` and Sec-Fetch-Dest.
 */
export function refuseCodeFetch(headers: Headers): void {
  if (headers.has('service-worker')) {
    throw new ProblemError(
      403,
      'relay-worker-refused',
      'The relay does not serve service worker scripts: it answers the Try it console with data only, and a worker loaded from it would control the whole portal.',
    );
  }
  const destination = (headers.get('sec-fetch-dest') ?? '').toLowerCase();
  if (CODE_DESTINATIONS.has(destination)) {
    throw new ProblemError(403, 'relay-worker-refused', `The relay does not serve code (this request is for a ${destination}): it answers the Try it console with data only.`);
  }
}
