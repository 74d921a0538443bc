import { GitHub, generateState } from 'arctic';
import { ProblemError } from '../errors.ts';

export interface GitHubUser {
  id: number;
  login: string;
  name?: string | null;
}

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * Who a GitHub user is, for Portico: the primary email if GitHub verified it, else any verified one.
 * An unverified address is passed on as unverified, so it is never used to link accounts.
 */
export function githubIdentity(user: GitHubUser, emails: GitHubEmail[]) {
  const verified = emails.filter((e) => e.verified);
  const chosen = verified.find((e) => e.primary) ?? verified[0] ?? emails.find((e) => e.primary);
  return { subject: String(user.id), email: chosen?.email, emailVerified: chosen?.verified === true, name: user.name ?? user.login, groups: [] as string[] };
}

/** The GitHub OAuth client (arctic) for this portal. */
export function githubClient(settings: { clientId: string; clientSecret: string }, publicUrl: string): GitHub {
  return new GitHub(settings.clientId, settings.clientSecret, `${publicUrl}/auth/github/callback`);
}

/** Where to send the browser, and the state to keep in a cookie until it comes back. */
export function startGitHubSignIn(client: GitHub): { url: string; state: string } {
  const state = generateState();
  return { url: client.createAuthorizationURL(state, ['read:user', 'user:email']).href, state };
}

/** Exchanges the code and reads the user and their emails from GitHub's API. */
export async function finishGitHubSignIn(client: GitHub, code: string | null, state: string | null, expectedState: string | undefined) {
  if (!code || !state || !expectedState || state !== expectedState) {
    throw new ProblemError(400, 'github-no-pending', 'This sign-in was not started here, or took too long. Start again.');
  }
  let accessToken: string;
  try {
    accessToken = (await client.validateAuthorizationCode(code)).accessToken();
  } catch (err) {
    throw new ProblemError(401, 'github-failed', `GitHub did not accept the sign-in: ${(err as Error).message}. Start again.`);
  }
  const headers = { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'portico' };
  const [userRes, emailsRes] = await Promise.all([fetch('https://api.github.com/user', { headers }), fetch('https://api.github.com/user/emails', { headers })]);
  if (!userRes.ok || !emailsRes.ok) throw new ProblemError(502, 'github-api', `GitHub's API answered ${userRes.ok ? emailsRes.status : userRes.status}. Try again later.`);
  return githubIdentity((await userRes.json()) as GitHubUser, (await emailsRes.json()) as GitHubEmail[]);
}

export const GITHUB_STATE_COOKIE = 'portico_github_state';
