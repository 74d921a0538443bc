// What an answer means, in words: the relay's own refusals (it adds no X-Portico-Relay header to
// those), and the gateway's 401, 403 and 429, which people meet first when they try an API.

/** The relay marks every answer that came from the API with this header (src/pages/relay.ts). */
export const RELAYED_HEADER = 'x-portico-relay';

export interface Explanation {
  /** `refused`: the portal did not send the request; `gateway`: the API's gateway said no. */
  kind: 'refused' | 'gateway';
  title: string;
  detail?: string;
}

const REFUSALS: Record<string, string> = {
  'relay-host-not-declared': 'this host is not allowed',
  'relay-private-address': 'this host is not allowed',
  'relay-scheme': 'this address is not allowed',
  'relay-credentials-in-url': 'this address is not allowed',
  'relay-bad-url': 'this address is not a URL',
  'relay-no-target': 'no address was given',
  'relay-timeout': 'the API did not answer in time',
  'relay-upstream-unreachable': 'the API could not be reached',
  'relay-dns': 'the API could not be reached',
  'relay-rate-limit': 'you have sent too many requests through the portal',
  'relay-request-too-large': 'the request body is too large',
  'relay-response-too-large': 'the answer is too large',
  'relay-too-many-redirects': 'the API redirected too many times',
  'relay-redirect-refused': 'the API redirected to a host that is not allowed',
};

/** The `detail` (or `title`) of a problem+json body, if it is one. */
export function problemDetail(contentType: string | null, body: string): { code?: string; detail?: string } {
  if (!/json/i.test(contentType ?? '')) return {};
  try {
    const json = JSON.parse(body) as { code?: unknown; detail?: unknown; title?: unknown; message?: unknown };
    const words = [json.detail, json.title, json.message].find((v) => typeof v === 'string' && v.trim()) as string | undefined;
    return { ...(typeof json.code === 'string' ? { code: json.code } : {}), ...(words ? { detail: words } : {}) };
  } catch {
    return {};
  }
}

/** Seconds to wait, from a Retry-After header (seconds, or an HTTP date). */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Explains an answer that needs explaining; undefined for the rest (a 200, a 404 from the API),
 * whose status and body speak for themselves.
 */
export function explainAnswer(answer: { status: number; headers: Headers; body: string }, context: { sentCredential: boolean; plan?: { title: string; limits: string } }): Explanation | undefined {
  const { code, detail } = problemDetail(answer.headers.get('content-type'), answer.body);
  if (!answer.headers.has(RELAYED_HEADER)) {
    if (answer.status < 400) return undefined;
    const what = (code && REFUSALS[code]) ?? 'the portal could not relay it';
    const wait = code === 'relay-rate-limit' ? retryAfterSeconds(answer.headers.get('retry-after')) : undefined;
    return { kind: 'refused', title: `The portal did not send the request: ${what}${wait !== undefined ? `; retry after ${wait} s` : ''}.`, ...(detail ? { detail } : {}) };
  }
  const says = detail ? { detail: `The gateway says: ${detail}` } : {};
  if (answer.status === 401) {
    return context.sentCredential
      ? {
          kind: 'gateway',
          title: 'The gateway does not accept this key (401): it is unknown to it. The key may be mistyped, revoked, suspended or expired, or so new that its commit has not reached the gateway yet.',
          ...says,
        }
      : { kind: 'gateway', title: 'The gateway asks for a key (401): choose an application whose key this browser holds, or paste a key.', ...says };
  }
  if (answer.status === 403) {
    return { kind: 'gateway', title: "The gateway refused (403): it knows the key, but the application's subscription does not cover this operation.", ...says };
  }
  if (answer.status === 429) {
    const wait = retryAfterSeconds(answer.headers.get('retry-after'));
    const plan = context.plan ? ` The plan ${context.plan.title} allows ${context.plan.limits}.` : '';
    return { kind: 'gateway', title: `Over the plan's limit (429): ${wait !== undefined ? `retry after ${wait} s` : 'wait a little, then retry'}.${plan}`, ...says };
  }
  return undefined;
}
