import * as oidc from 'openid-client';
import { ProblemError } from '../errors.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
  scopes: string;
}

/** What the browser must keep between the redirect to the provider and the callback (in a short-lived cookie). */
export interface OidcPending {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
}

/** The person the provider vouched for. */
export interface OidcIdentity {
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  groups: string[];
}

/** The short-lived cookie that carries OidcPending from the redirect to the callback. */
export const OIDC_COOKIE = 'portico_oidc';

const discovered = new Map<string, Promise<oidc.Configuration>>();

/** The provider's configuration, discovered once per process (per issuer and client). */
function configurationFor(settings: OidcSettings): Promise<oidc.Configuration> {
  const key = `${settings.issuer}\u0000${settings.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    const options = settings.issuer.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined;
    found = oidc.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, options).catch((err: unknown) => {
      discovered.delete(key); // try again next time: the provider may just be down
      throw new ProblemError(503, 'idp-unreachable', `The identity provider at ${settings.issuer} cannot be reached (${(err as Error).message}). Try again later, or sign in with a password.`);
    });
    discovered.set(key, found);
  }
  return found;
}

/** Where to send the browser to sign in, and what to remember until it comes back. */
export async function startOidcSignIn(settings: OidcSettings, redirectUri: string, next: string): Promise<{ url: string; pending: OidcPending }> {
  const config = await configurationFor(settings);
  const verifier = oidc.randomPKCECodeVerifier();
  const pending: OidcPending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), next };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: settings.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending };
}

/** Completes the sign-in on the callback: checks state, nonce and PKCE, and reads the identity. */
export async function finishOidcSignIn(settings: OidcSettings, callbackUrl: URL, pending: OidcPending | undefined): Promise<OidcIdentity> {
  if (!pending) throw new ProblemError(400, 'oidc-no-pending', 'This sign-in was not started here, or took too long. Start again.');
  const error = callbackUrl.searchParams.get('error');
  if (error) throw new ProblemError(401, 'oidc-refused', `The identity provider refused the sign-in: ${callbackUrl.searchParams.get('error_description') ?? error}.`);
  const config = await configurationFor(settings);
  let tokens;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
  } catch (err) {
    throw new ProblemError(401, 'oidc-failed', `The sign-in with the identity provider failed: ${(err as Error).message}. Start again.`);
  }
  const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
  try {
    // Many providers put email and groups only in the userinfo answer.
    Object.assign(claims, await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub)), { sub: claims.sub });
  } catch {
    // No userinfo endpoint, or it failed: the ID token's claims are what we have.
  }
  const rawGroups = claims[settings.groupsClaim];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : typeof rawGroups === 'string' ? rawGroups.split(/[,\s]+/).filter(Boolean) : [];
  return {
    subject: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email : undefined,
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: typeof claims.name === 'string' ? claims.name : undefined,
    groups,
  };
}
