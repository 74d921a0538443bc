const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Does this method change state (and so need the origin check)? */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * CSRF defence for cookie-authenticated requests: the request must come from the portal's own
 * origin, by its Origin header or, where a browser sends none, by Sec-Fetch-Site. A request with
 * neither is refused: every browser sends one of them on a state-changing request.
 * Returns the reason for refusing, or undefined when the request may proceed.
 */
export function checkSameOrigin(request: Request, allowedOrigins: string[]): string | undefined {
  const origin = request.headers.get('origin');
  if (origin) {
    return allowedOrigins.includes(origin) ? undefined : `requests from ${origin} are not accepted; use the portal at ${allowedOrigins[0]}`;
  }
  const site = request.headers.get('sec-fetch-site');
  if (site === 'same-origin' || site === 'none') return undefined;
  if (site) return `cross-site requests (${site}) are not accepted`;
  return 'the request has no Origin header; browsers send one, and scripts should use a personal access token';
}
