import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';

/** The components of Portico's own OpenAPI document: security schemes, schemas and the problem answer. */
export const components = (): Record<string, unknown> => ({
  securitySchemes: {
    session: { type: 'apiKey', in: 'cookie', name: 'portico_session', description: 'The session cookie set by signing in. State-changing requests must come from the portal origin.' },
    accessToken: { type: 'http', scheme: 'bearer', description: 'A personal access token from your account page.' },
  },
  schemas: {
    Password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
    Credentials: { type: 'object', required: ['email', 'password'], properties: { email: { type: 'string', format: 'email' }, password: { $ref: '#/components/schemas/Password' } } },
    Account: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        email: { type: 'string', format: 'email' },
        emailVerified: { type: 'boolean' },
        displayName: { type: ['string', 'null'] },
        groups: { type: 'array', items: { type: 'string' } },
        assignedGroups: { type: 'array', items: { type: 'string' } },
        admin: { type: 'boolean' },
        hasPassword: { type: 'boolean' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    AccountEnvelope: { type: 'object', properties: { account: { $ref: '#/components/schemas/Account' } } },
    AccessToken: {
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: ['string', 'null'], format: 'date-time' } },
    },
    Offer: {
      type: 'object',
      properties: {
        offer: { type: 'string' },
        title: { type: 'string' },
        namespace: { type: 'string' },
        apis: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' } } } },
        bundles: { type: 'array', items: { type: 'string' } },
        plan: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' }, limits: { type: 'string', example: '10 requests per second, 1,000 requests per day' } } },
        operationFilter: { type: 'array', items: { type: 'string' } },
        approval: { type: 'string', enum: ['instant', 'pull-request'] },
      },
    },
    GrantStatus: { type: 'string', enum: ['pending-approval', 'committing', 'committed', 'active', 'suspended', 'revoking', 'revoked', 'rejected'] },
    Application: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        description: { type: ['string', 'null'] },
        namespace: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        subscriptions: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              offer: { type: 'string' },
              offerTitle: { type: 'string' },
              plan: { type: 'string' },
              apis: { type: 'array', items: { type: 'string' } },
              bundles: { type: 'array', items: { type: 'string' } },
              status: { $ref: '#/components/schemas/GrantStatus' },
              statusReason: { type: ['string', 'null'] },
              commit: { type: ['string', 'null'] },
              commitUrl: { type: ['string', 'null'], format: 'uri' },
              requestId: { type: ['string', 'null'] },
              replaces: { type: ['string', 'null'] },
              createdAt: { type: 'string', format: 'date-time' },
              endedAt: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              keyId: { type: 'string' },
              title: { type: 'string' },
              status: { $ref: '#/components/schemas/GrantStatus' },
              statusReason: { type: ['string', 'null'] },
              commit: { type: ['string', 'null'] },
              commitUrl: { type: ['string', 'null'], format: 'uri' },
              createdAt: { type: 'string', format: 'date-time' },
              expiresAt: { type: ['string', 'null'], format: 'date-time' },
              replaces: { type: ['string', 'null'] },
              retireAt: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
      },
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string' },
        requestId: { type: 'string', description: 'The X-Request-Id of this answer: quote it to the portal team.' },
      },
    },
  },
  responses: { Problem: { description: 'What went wrong, in words.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
});
