import type { APIRoute } from 'astro';
import { GITHUB_STATE_COOKIE, githubClient, startGitHubSignIn } from '../../../lib/auth/github.ts';
import { getServerContext } from '../../../lib/server/context.ts';
import { safeNext } from '../../../lib/server/http.ts';

export const prerender = false;

/** Sends the browser to GitHub. */
export const GET: APIRoute = async (context) => {
  const { config } = await getServerContext();
  if (!config.github) return new Response('GitHub sign-in is not configured on this portal.', { status: 404 });
  const { url, state } = startGitHubSignIn(githubClient(config.github, config.publicUrl));
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: config.publicUrl.startsWith('https://'), path: '/auth/github', maxAge: 600 };
  context.cookies.set(GITHUB_STATE_COOKIE, JSON.stringify({ state, next: safeNext(context.url.searchParams.get('next'), config.publicUrl) }), cookie);
  return context.redirect(url, 302);
};
