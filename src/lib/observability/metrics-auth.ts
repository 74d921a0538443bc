import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * May this request read /metrics? Always when no token is configured (the page shows counts only);
 * otherwise only with `Authorization: Bearer <token>`. Both sides are hashed first, so the
 * comparison is constant-time whatever their lengths: it tells an attacker nothing about the token.
 */
export function metricsRequestAllowed(authorization: string | null | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}
