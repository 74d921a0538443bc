import { body, ok, problem } from './openapi-parts.ts';

/** The paths of signing in and of one's own account: /auth and /me. */
export const authAndAccountPaths = (): Record<string, unknown> => ({
  '/auth/signup': {
    post: {
      operationId: 'signUp',
      tags: ['auth'],
      summary: 'Create an account',
      description: 'Sends a link to confirm the address; opening it (POST /auth/verify-email) confirms the address and signs in. A taken address gets the same answer, and its owner a mail.',
      security: [],
      requestBody: body({
        allOf: [
          { $ref: '#/components/schemas/Credentials' },
          {
            type: 'object',
            properties: { next: { type: 'string', description: 'A path on the portal where the confirmed person lands (a "Get access" step); anything else is the account page.' } },
          },
        ],
      }),
      responses: { '202': ok('A link is on its way to the address.'), '400': problem, '415': problem, '429': problem },
    },
  },
  '/auth/signin': {
    post: {
      operationId: 'signIn',
      tags: ['auth'],
      summary: 'Sign in with email and password',
      security: [],
      requestBody: body({ $ref: '#/components/schemas/Credentials' }),
      responses: { '200': ok('Signed in; the session cookie is set.', { $ref: '#/components/schemas/AccountEnvelope' }), '401': problem, '429': problem },
    },
  },
  '/auth/signout': { post: { operationId: 'signOut', tags: ['auth'], summary: 'End this session', responses: { '204': ok('Signed out.') } } },
  '/auth/signout-all': {
    post: {
      operationId: 'signOutEverywhere',
      tags: ['auth'],
      summary: 'End every session of this account, and revoke its personal access tokens',
      responses: { '204': ok('Signed out everywhere.'), '401': problem },
    },
  },
  '/auth/verify-email': {
    post: {
      operationId: 'verifyEmail',
      tags: ['auth'],
      summary: 'Confirm an email address and sign in',
      security: [],
      description: 'A password account also sends its password, so nobody confirms an account whose password a stranger chose.',
      requestBody: body({ type: 'object', required: ['token'], properties: { token: { type: 'string' }, password: { type: 'string' } } }),
      responses: { '200': ok('Confirmed and signed in; the session cookie is set.', { $ref: '#/components/schemas/AccountEnvelope' }), '400': problem },
    },
  },
  '/auth/password-reset': {
    post: {
      operationId: 'resetPassword',
      tags: ['auth'],
      summary: 'Ask for a reset link, or set a new password with one',
      security: [],
      requestBody: body({
        oneOf: [
          { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
          { type: 'object', required: ['token', 'newPassword'], properties: { token: { type: 'string' }, newPassword: { $ref: '#/components/schemas/Password' } } },
        ],
      }),
      responses: {
        '200': ok('The new password is set; every session, access token and other reset link of the account stopped working.'),
        '202': ok('If an account has this address, a link is on its way.'),
        '400': problem,
        '429': problem,
      },
    },
  },
  '/me': {
    get: {
      operationId: 'getMe',
      tags: ['account'],
      summary: 'The signed-in account',
      responses: { '200': ok('The account, its groups and whether it is an admin.', { $ref: '#/components/schemas/AccountEnvelope' }), '401': problem },
    },
    delete: { operationId: 'deleteMe', tags: ['account'], summary: 'Delete the signed-in account', responses: { '204': ok('Deleted.'), '401': problem } },
  },
  '/me/password': {
    post: {
      operationId: 'changePassword',
      tags: ['account'],
      summary: 'Change the password',
      description: 'Every other session ends.',
      requestBody: body({
        type: 'object',
        required: ['currentPassword', 'newPassword'],
        properties: { currentPassword: { type: 'string' }, newPassword: { $ref: '#/components/schemas/Password' } },
      }),
      responses: { '204': ok('Changed.'), '400': problem, '401': problem },
    },
  },
  '/me/verify-email': {
    post: {
      operationId: 'resendVerification',
      tags: ['account'],
      summary: 'Send the confirmation mail again',
      responses: { '202': ok('Sent, if the address is not confirmed yet.'), '401': problem },
    },
  },
  '/me/tokens': {
    get: {
      operationId: 'listAccessTokens',
      tags: ['account'],
      summary: 'Your personal access tokens',
      responses: {
        '200': ok('Names and dates; never the tokens.', { type: 'object', properties: { tokens: { type: 'array', items: { $ref: '#/components/schemas/AccessToken' } } } }),
        '401': problem,
      },
    },
    post: {
      operationId: 'createAccessToken',
      tags: ['account'],
      summary: 'Create a personal access token',
      description: 'The token is in this response only; Portico keeps a hash.',
      requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 } } }),
      responses: {
        '201': ok('Created.', {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, token: { type: 'string', example: 'pat_abcd2345efgh6789jkmn2345.pqrs6789tuvw2345xyza6789' } },
        }),
        '400': problem,
        '401': problem,
      },
    },
  },
  '/me/tokens/{id}': {
    delete: {
      operationId: 'revokeAccessToken',
      tags: ['account'],
      summary: 'Revoke a personal access token',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '204': ok('Revoked.'), '401': problem },
    },
  },
});
