import type { APIRoute } from 'astro';
import { OIDC_COOKIE, startOidcSignIn } from '../../../lib/auth/oidc.ts';
import { errorToResponse } from '../../../lib/http/problem.ts';
import { getServerContext } from '../../../lib/server/context.ts';
import { safeNext } from '../../../lib/server/http.ts';

export const prerender = false;

/** Sends the browser to the identity provider. */
export const GET: APIRoute = async (context) => {
  const { config } = await getServerContext();
  if (!config.oidc) return new Response('Single sign-on is not configured on this portal.', { status: 404 });
  try {
    const { url, pending } = await startOidcSignIn(config.oidc, `${config.publicUrl}/auth/oidc/callback`, safeNext(context.url.searchParams.get('next'), config.publicUrl));
    context.cookies.set(OIDC_COOKIE, JSON.stringify(pending), { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https://'), path: '/auth/oidc', maxAge: 600 });
    return context.redirect(url, 302);
  } catch (err) {
    return errorToResponse(err);
  }
};
