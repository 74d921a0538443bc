import { describe, expect, it } from 'vitest';
import { finishGitHubSignIn, githubClient, githubIdentity, startGitHubSignIn } from '../../src/lib/auth/github.ts';
import { ProblemError } from '../../src/lib/errors.ts';

describe('who a GitHub user is', () => {
  const user = { id: 583231, login: 'octocat', name: 'The Octocat' };

  it('takes the primary email when GitHub verified it', () => {
    expect(
      githubIdentity(user, [
        { email: 'old@example.test', primary: false, verified: true },
        { email: 'octo@example.test', primary: true, verified: true },
      ]),
    ).toEqual({ subject: '583231', email: 'octo@example.test', emailVerified: true, name: 'The Octocat', groups: [] });
  });

  it('prefers a verified address over an unverified primary one', () => {
    expect(
      githubIdentity(user, [
        { email: 'new@example.test', primary: true, verified: false },
        { email: 'ok@example.test', primary: false, verified: true },
      ]),
    ).toMatchObject({ email: 'ok@example.test', emailVerified: true });
  });

  it('passes an unverified address on as unverified, so it never links accounts', () => {
    expect(githubIdentity({ id: 1, login: 'x' }, [{ email: 'x@example.test', primary: true, verified: false }])).toMatchObject({ email: 'x@example.test', emailVerified: false, name: 'x' });
  });
});

describe('the GitHub OAuth exchange', () => {
  const client = githubClient({ clientId: 'Iv1.test', clientSecret: 'secret' }, 'https://portal.example.test');

  it('asks GitHub for the user and their emails, with our callback and a state', () => {
    const { url, state } = startGitHubSignIn(client);
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(u.searchParams.get('redirect_uri')).toBe('https://portal.example.test/auth/github/callback');
    expect(u.searchParams.get('scope')).toBe('read:user user:email');
    expect(u.searchParams.get('state')).toBe(state);
  });

  it('refuses a callback whose state does not match the one this browser kept', async () => {
    await expect(finishGitHubSignIn(client, 'code', 'forged', 'expected')).rejects.toBeInstanceOf(ProblemError);
    await expect(finishGitHubSignIn(client, 'code', 'x', undefined)).rejects.toThrow('This sign-in was not started here, or took too long. Start again.');
  });
});
