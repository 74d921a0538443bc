import { accessPaths } from './openapi-access.ts';
import { authAndAccountPaths } from './openapi-account.ts';
import { adminPaths } from './openapi-admin.ts';
import { components } from './openapi-components.ts';
import { signedIn } from './openapi-parts.ts';

/**
 * The OpenAPI 3.1 description of Portico's own JSON API (/api/v1). Everything a person does in the
 * UI can be automated with it; tests check that every route is described here.
 */
export function porticoApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portico API',
      version: '1.0.0',
      description:
        'Automate what you do in the developer portal. Browsers use the session cookie (and must send their Origin); scripts use a personal access token as `Authorization: Bearer pat_...`. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: signedIn,
    tags: [
      { name: 'auth', description: 'Sign up, sign in, sign out' },
      { name: 'account', description: 'Your account and access tokens' },
      { name: 'access', description: 'Applications, subscriptions and API keys, provisioned through Git' },
      { name: 'admin', description: 'For portal admins' },
    ],
    paths: { ...authAndAccountPaths(), ...adminPaths(), ...accessPaths() },
    components: components(),
  };
}
