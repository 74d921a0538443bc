import type { APIRoute } from 'astro';
import { finishGitHubSignIn, GITHUB_STATE_COOKIE, githubClient } from '../../../lib/auth/github.ts';
import { ProblemError } from '../../../lib/errors.ts';
import { getServerContext } from '../../../lib/server/context.ts';
import { safeNext, setSessionCookie } from '../../../lib/server/http.ts';

export const prerender = false;

/** Back from GitHub: sign in (linking by verified email) and go where the person was going. */
export const GET: APIRoute = async (context) => {
  const { config, accounts } = await getServerContext();
  if (!config.github) return new Response('GitHub sign-in is not configured on this portal.', { status: 404 });
  let pending: { state?: string; next?: string } = {};
  try {
    pending = JSON.parse(context.cookies.get(GITHUB_STATE_COOKIE)?.value ?? '{}');
  } catch {
    pending = {};
  }
  context.cookies.delete(GITHUB_STATE_COOKIE, { path: '/auth/github' });
  try {
    const identity = await finishGitHubSignIn(githubClient(config.github, config.publicUrl), context.url.searchParams.get('code'), context.url.searchParams.get('state'), pending.state);
    const { token, expiresAt } = await accounts.signInWithIdentity({ provider: 'github', ...identity });
    setSessionCookie(context.cookies, token, expiresAt, config.publicUrl);
    return context.redirect(safeNext(pending.next, config.publicUrl), 302);
  } catch (err) {
    const message = err instanceof ProblemError ? err.message : 'The sign-in failed. Start again.';
    if (!(err instanceof ProblemError)) console.error(`portico: GitHub callback: ${(err as Error).message}`);
    return context.redirect(`/account/sign-in/?error=${encodeURIComponent(message)}`, 302);
  }
};
