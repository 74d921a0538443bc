import type { CatalogApi, GatewayAuth, OpenApiObject } from '../catalog/model.ts';

/** A security scheme in words, for people who have never read RFC 6749. */
export function describeSecurityScheme(name: string, scheme: OpenApiObject): string {
  const type = String(scheme.type ?? '');
  switch (type) {
    case 'apiKey':
      return `API key: send your key in the ${scheme.in === 'query' ? 'query parameter' : scheme.in === 'cookie' ? 'cookie' : 'header'} \`${String(scheme.name ?? name)}\`.`;
    case 'http': {
      const s = String(scheme.scheme ?? '').toLowerCase();
      if (s === 'bearer') return `Bearer token: send \`Authorization: Bearer <token>\`${scheme.bearerFormat ? ` (a ${String(scheme.bearerFormat)})` : ''}.`;
      if (s === 'basic') return 'HTTP Basic: send a user name and password in the `Authorization` header.';
      return `HTTP ${s} authentication in the \`Authorization\` header.`;
    }
    case 'oauth2': {
      const flows = Object.keys((scheme.flows as OpenApiObject | undefined) ?? {});
      const words: Record<string, string> = { clientCredentials: 'client credentials', authorizationCode: 'authorization code', implicit: 'implicit', password: 'password' };
      return `OAuth 2.0 (${flows.map((f) => words[f] ?? f).join(', ') || 'no flow declared'}): get an access token, then send \`Authorization: Bearer <token>\`.`;
    }
    case 'openIdConnect':
      return `OpenID Connect: sign in through ${String(scheme.openIdConnectUrl ?? 'the provider')}, then send \`Authorization: Bearer <token>\`.`;
    case 'mutualTLS':
      return 'Mutual TLS: present a client certificate the API trusts.';
    default:
      return `${type || 'Unknown'} authentication.`;
  }
}

/** How a request carries credentials for a scheme: what code samples add. */
export type Credential = { where: 'header'; name: string; value: string } | { where: 'query'; name: string; value: string } | { where: 'cookie'; name: string; value: string } | { where: 'basic' };

/** The credential a code sample should send for the first requirement an operation accepts. */
export function credentialFor(security: Array<Record<string, string[]>>, schemes: Record<string, OpenApiObject>): Credential | undefined {
  for (const requirement of security) {
    const names = Object.keys(requirement);
    if (names.length === 0) return undefined; // `{}`: anonymous access is allowed
    const scheme = schemes[names[0]!];
    if (!scheme) continue;
    if (scheme.type === 'apiKey') {
      const where = scheme.in === 'query' ? 'query' : scheme.in === 'cookie' ? 'cookie' : 'header';
      return { where, name: String(scheme.name ?? names[0]), value: '$API_KEY' };
    }
    if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic') return { where: 'basic' };
    return { where: 'header', name: 'Authorization', value: 'Bearer $TOKEN' };
  }
  return undefined;
}

/**
 * Where a version's authentication comes from, when the gateway's configuration says: a page must not
 * claim an API is open, or ask for the spec's scheme, when the gateway checks something else.
 */
export function gatewayAuthNote(auth: GatewayAuth | undefined): string | undefined {
  if (!auth) return undefined;
  const where = `${auth.resource} (${auth.source.file}:${auth.source.line})`;
  if (auth.keyless) return `No key needed: the gateway lets every call through, as its configuration says: ${where}.`;
  return auth.replacedSpec
    ? `From the gateway configuration, ${where}: the gateway checks this, whatever the OpenAPI document declares.`
    : `The gateway configuration, ${where}, checks what the OpenAPI document declares.`;
}

/**
 * What an API page says when neither the spec nor the repository names any authentication. A Traefik
 * Hub API is never open by default: without an APIAuth, the workspace settings choose the credential.
 */
export function noAuthenticationNote(api: Pick<CatalogApi, 'gateway' | 'id'>): string {
  if (api.gateway.gateway !== 'traefik-hub') return 'No authentication is declared.';
  return `The OpenAPI document declares no authentication, and the repository has no default APIAuth for namespace ${api.id.namespace}: Traefik Hub checks the credential its workspace settings choose (an API key or a JWT).`;
}
