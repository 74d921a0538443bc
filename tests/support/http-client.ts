import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** One answer of the portal, with its body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
}

export interface ClientOptions {
  /** The Origin header to send; the portal's own by default (what its pages send). */
  origin?: string | null;
  /**
   * The local address to connect from. Every address of 127.0.0.0/8 is loopback on Linux, so a
   * test can stand for many clients (each with its own per-IP sign-in limit) on one machine.
   */
  localAddress?: string;
  /** Keep connections open between calls (a browser does); off by default. */
  keepAlive?: boolean;
}

/**
 * A small HTTP client that keeps the session cookie as a browser would and sends the portal's
 * Origin. Built on node:http rather than fetch so a test can choose the source address.
 */
export function portalClient(base: string, options: ClientOptions = {}) {
  let cookie = '';
  const origin = options.origin === undefined ? base : options.origin;
  const agent = new Agent({ keepAlive: options.keepAlive ?? false, maxSockets: Infinity });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = request(
        `${base}${path}`,
        {
          method,
          agent,
          localAddress: options.localAddress,
          headers: {
            ...(origin ? { origin } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
            ...(cookie ? { cookie } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const set = res.headers['set-cookie'] ?? [];
            for (const line of set) {
              const m = /^portico_session=([^;]*)/.exec(line);
              if (m) cookie = m[1] && !/Expires=Thu, 01 Jan 1970/i.test(line) ? `portico_session=${m[1]}` : '';
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return {
    call,
    /** The `portico_session=...` cookie this client holds, or ''. */
    cookie: () => cookie,
    setCookie: (value: string) => void (cookie = value),
    close: () => agent.destroy(),
  };
}

export type PortalClient = ReturnType<typeof portalClient>;

/** Polls `probe` until it returns a value, or fails naming what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, seconds = 60, everyMs = 250): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up after ${seconds} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the order of results. */
export async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}
