import type { APIContext, AstroCookies } from 'astro';
import type { AccountView } from '../auth/accounts.ts';
import { ProblemError } from '../errors.ts';
import { errorToResponse } from '../http/problem.ts';
import { getServerContext, SESSION_COOKIE, type ServerContext } from './context.ts';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the portal is served over HTTPS. */
export function setSessionCookie(cookies: AstroCookies, token: string, expiresAt: Date, publicUrl: string): void {
  cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https://'), path: '/', expires: expiresAt });
}

export function clearSessionCookie(cookies: AstroCookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
}

/** The signed-in account; a 401 problem otherwise. */
export function requireAccount(context: APIContext): AccountView {
  const account = context.locals.account;
  if (!account) throw new ProblemError(401, 'not-signed-in', 'Sign in first.');
  return account;
}

/** The signed-in admin; 401 or 403 otherwise. */
export function requireAdmin(context: APIContext): AccountView {
  const account = requireAccount(context);
  if (!account.admin) throw new ProblemError(403, 'not-admin', 'Only the portal admins may do this.');
  return account;
}

/**
 * Runs an API handler with the server context; anything it throws becomes a problem+json response
 * with the request's id, which the access log line and any error logged for it carry too.
 */
export async function handle(context: APIContext, handler: (server: ServerContext) => Promise<Response>): Promise<Response> {
  try {
    return await handler(await getServerContext());
  } catch (err) {
    return errorToResponse(err, context.locals.requestId);
  }
}

/**
 * A path on the portal to go to after signing in; anything else becomes /account/. Parsed as the
 * browser will parse it (WHATWG URL drops tabs and newlines, so `/%09/evil.example/` is
 * `//evil.example/`), and kept only when it lands on the portal's own origin.
 */
export function safeNext(next: string | null | undefined, publicUrl: string): string {
  if (!next) return '/account/';
  const origin = new URL(publicUrl).origin;
  const target = URL.parse(next, origin);
  if (!target || target.origin !== origin || !next.startsWith('/')) return '/account/';
  return `${target.pathname}${target.search}${target.hash}`;
}
