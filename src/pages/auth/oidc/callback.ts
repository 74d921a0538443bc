import type { APIRoute } from 'astro';
import { finishOidcSignIn, OIDC_COOKIE, type OidcPending } from '../../../lib/auth/oidc.ts';
import { ProblemError } from '../../../lib/errors.ts';
import { getServerContext } from '../../../lib/server/context.ts';
import { safeNext, setSessionCookie } from '../../../lib/server/http.ts';

export const prerender = false;

/** Back from the identity provider: sign in (linking by verified email) and go where the person was going. */
export const GET: APIRoute = async (context) => {
  const { config, accounts } = await getServerContext();
  if (!config.oidc) return new Response('Single sign-on is not configured on this portal.', { status: 404 });
  let pending: OidcPending | undefined;
  try {
    pending = JSON.parse(context.cookies.get(OIDC_COOKIE)?.value ?? 'null') ?? undefined;
  } catch {
    pending = undefined;
  }
  context.cookies.delete(OIDC_COOKIE, { path: '/auth/oidc' });
  try {
    const identity = await finishOidcSignIn(config.oidc, new URL(context.url.pathname + context.url.search, config.publicUrl), pending);
    const { token, expiresAt } = await accounts.signInWithIdentity({ provider: `oidc:${config.oidc.issuer}`, ...identity });
    setSessionCookie(context.cookies, token, expiresAt, config.publicUrl);
    return context.redirect(safeNext(pending?.next, config.publicUrl), 302);
  } catch (err) {
    const message = err instanceof ProblemError ? err.message : 'The sign-in failed. Start again.';
    if (!(err instanceof ProblemError)) console.error(`portico: OIDC callback: ${(err as Error).message}`);
    return context.redirect(`/account/sign-in/?error=${encodeURIComponent(message)}`, 302);
  }
};
