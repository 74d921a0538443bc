/**
 * A person talking to the portal's JSON API as its own pages do: the session cookie kept as a
 * browser keeps it, the portal's Origin sent, bodies as JSON.
 */
export function jsonApi(base: () => string) {
  let cookie = '';
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${base()}/api/v1${route}`, {
      method,
      headers: { origin: base(), cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set?.startsWith('portico_session=')) cookie = set.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return Object.assign(call, { cookie: () => cookie });
}

/** Polls `probe` until it returns a value (not undefined), or fails saying what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 40): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting: ${what}`);
}
