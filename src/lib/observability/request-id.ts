/** What an incoming X-Request-Id may look like to be kept: short, and nothing a log or header could trip on. */
const ACCEPTED = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The id of a request: the caller's X-Request-Id when it is well-formed (so a proxy's id follows
 * the request through), otherwise a new random one.
 */
export function requestIdFor(incoming: string | null | undefined): string {
  return incoming && ACCEPTED.test(incoming) ? incoming : crypto.randomUUID();
}
