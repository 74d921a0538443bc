import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object) => ({ 'application/json': { schema } });
const body = (schema: object) => ({ required: true, content: json(schema) });
const ok = (description: string, schema?: object) => (schema ? { description, content: json(schema) } : { description });
const signedIn = [{ session: [] }, { accessToken: [] }];

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
    paths: {
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
      '/admin/accounts': {
        get: {
          operationId: 'listAccounts',
          tags: ['admin'],
          summary: 'Every account',
          responses: { '200': ok('The accounts.', { type: 'object', properties: { accounts: { type: 'array', items: { $ref: '#/components/schemas/Account' } } } }), '401': problem, '403': problem },
        },
      },
      '/admin/accounts/{id}/groups': {
        put: {
          operationId: 'setAccountGroups',
          tags: ['admin'],
          summary: 'Set the groups an admin assigns to an account',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body({ type: 'object', required: ['groups'], properties: { groups: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' } } } }),
          responses: { '200': ok('The account.', { $ref: '#/components/schemas/AccountEnvelope' }), '400': problem, '401': problem, '403': problem },
        },
      },
      '/admin/mail': {
        get: {
          operationId: 'listMail',
          tags: ['admin'],
          summary: 'The mail outbox',
          responses: {
            '200': ok('Mail sent, or kept locally without SMTP.', {
              type: 'object',
              properties: {
                mail: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      to: { type: 'string' },
                      subject: { type: 'string' },
                      body: { type: 'string' },
                      createdAt: { type: 'string', format: 'date-time' },
                      sentAt: { type: ['string', 'null'], format: 'date-time' },
                    },
                  },
                },
              },
            }),
            '401': problem,
            '403': problem,
          },
        },
      },
      '/admin/requests': {
        get: {
          operationId: 'listRequests',
          tags: ['admin'],
          summary: 'Requests waiting for approval',
          responses: {
            '200': ok('Oldest first.', {
              type: 'object',
              properties: {
                requests: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      requestId: { type: 'string' },
                      subscriptionId: { type: 'string' },
                      applicationId: { type: 'string' },
                      applicationName: { type: 'string' },
                      owner: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } } },
                      offer: { type: 'string' },
                      plan: { type: 'string' },
                      branch: { type: ['string', 'null'] },
                      proposedCommit: { type: ['string', 'null'] },
                      createdAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            }),
            '401': problem,
            '403': problem,
          },
        },
      },
      '/admin/requests/{requestId}/approve': {
        post: {
          operationId: 'approveRequest',
          tags: ['admin'],
          summary: "Approve: merge the request's branch",
          parameters: [{ name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': ok('Merging.', { type: 'object', properties: { requestId: { type: 'string' }, status: { type: 'string' } } }), '401': problem, '403': problem, '404': problem },
        },
      },
      '/admin/requests/{requestId}/reject': {
        post: {
          operationId: 'rejectRequest',
          tags: ['admin'],
          summary: "Reject: delete the request's branch",
          parameters: [{ name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: false, content: json({ type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } }) },
          responses: {
            '200': ok('Rejected.', { type: 'object', properties: { requestId: { type: 'string' }, status: { type: 'string' } } }),
            '400': problem,
            '401': problem,
            '403': problem,
            '404': problem,
          },
        },
      },
      '/admin/drift': {
        get: {
          operationId: 'listDrift',
          tags: ['admin'],
          summary: 'Grants whose Git state differs from the database',
          responses: {
            '200': ok('As the last reconcile found them.', {
              type: 'object',
              properties: {
                checkedAt: { type: ['string', 'null'], format: 'date-time' },
                drift: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      kind: { type: 'string', enum: ['subscription', 'key'] },
                      id: { type: 'string' },
                      applicationId: { type: 'string' },
                      database: { type: 'string' },
                      git: { type: 'string', enum: ['present', 'absent'] },
                      reason: { type: 'string' },
                      commit: { type: 'string' },
                    },
                  },
                },
              },
            }),
            '401': problem,
            '403': problem,
          },
        },
      },
      '/admin/outbox': {
        get: {
          operationId: 'listGitOutbox',
          tags: ['admin'],
          summary: 'The Git outbox',
          responses: {
            '200': ok('Changes waiting for the writer, with the last error, and the latest published.', {
              type: 'object',
              properties: { pending: { type: 'array', items: { type: 'object' } }, recent: { type: 'array', items: { type: 'object' } }, lastPass: { type: 'object' } },
            }),
            '401': problem,
            '403': problem,
          },
        },
      },
      '/admin/keys/{keyId}': {
        delete: {
          operationId: 'adminRevokeKey',
          tags: ['admin'],
          summary: 'Revoke any key',
          parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '403': problem, '404': problem, '409': problem },
        },
      },
      '/admin/keys/{keyId}/suspend': {
        post: {
          operationId: 'suspendKey',
          tags: ['admin'],
          summary: 'Suspend a key',
          description: 'The gateway refuses it until it is resumed.',
          parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '403': problem, '404': problem, '409': problem },
        },
      },
      '/admin/keys/{keyId}/resume': {
        post: {
          operationId: 'resumeKey',
          tags: ['admin'],
          summary: 'Lift a suspension',
          parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '403': problem, '404': problem, '409': problem },
        },
      },
      '/admin/subscriptions/{subscriptionId}': {
        delete: {
          operationId: 'adminEndSubscription',
          tags: ['admin'],
          summary: 'End any subscription',
          parameters: [{ name: 'subscriptionId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '403': problem, '404': problem, '409': problem },
        },
      },
      '/catalog': {
        get: {
          operationId: 'listOffers',
          tags: ['access'],
          summary: 'What you may subscribe to',
          description: 'Self-service catalog items visible to you: APIs or bundle, plan with its limits, approval mode.',
          responses: { '200': ok('The offers.', { type: 'object', properties: { offers: { type: 'array', items: { $ref: '#/components/schemas/Offer' } } } }), '401': problem },
        },
      },
      '/applications': {
        get: {
          operationId: 'listApplications',
          tags: ['access'],
          summary: 'Your applications',
          description: 'Each with its subscriptions and keys, and the status and commit of each grant.',
          responses: {
            '200': ok('The applications, newest first.', { type: 'object', properties: { applications: { type: 'array', items: { $ref: '#/components/schemas/Application' } } } }),
            '401': problem,
          },
        },
        post: {
          operationId: 'createApplication',
          tags: ['access'],
          summary: 'Create an application',
          description: "It becomes a ManagedApplication (or the gateway's equivalent) committed to Git.",
          requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 }, description: { type: 'string' } } }),
          responses: { '201': ok('Created.', { type: 'object', properties: { application: { $ref: '#/components/schemas/Application' } } }), '400': problem, '401': problem },
        },
      },
      '/applications/{id}': {
        get: {
          operationId: 'getApplication',
          tags: ['access'],
          summary: 'An application with the status of each grant',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': ok('The application.', { type: 'object', properties: { application: { $ref: '#/components/schemas/Application' } } }), '401': problem, '404': problem },
        },
        delete: {
          operationId: 'deleteApplication',
          tags: ['access'],
          summary: 'Delete an application',
          description: 'The application and every grant it holds leave Git with the next commit; requests waiting for approval are withdrawn.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '404': problem },
        },
      },
      '/applications/{id}/subscriptions': {
        post: {
          operationId: 'subscribe',
          tags: ['access'],
          summary: 'Subscribe an application to an offer, or change plan',
          description:
            'Instant offers are committed to the target branch; pull-request offers are proposed on a branch portico/<requestId> for an admin to merge. With `replaces`, the old subscription ends when the new one is granted.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body({
            type: 'object',
            required: ['offer'],
            properties: {
              offer: { type: 'string', description: 'The offer (catalog item) from GET /catalog.' },
              plan: { type: 'string' },
              replaces: { type: 'string', description: 'A current subscription of this application to end (change of plan).' },
            },
          }),
          responses: {
            '201': ok('Queued for Git: status committing, or pending-approval.', {
              type: 'object',
              properties: {
                requestId: { type: 'string' },
                subscription: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    offer: { type: 'string' },
                    plan: { type: 'string' },
                    status: { $ref: '#/components/schemas/GrantStatus' },
                    approval: { type: 'string', enum: ['instant', 'pull-request'] },
                  },
                },
              },
            }),
            '400': problem,
            '401': problem,
            '404': problem,
            '409': problem,
          },
        },
      },
      '/applications/{id}/subscriptions/{subscriptionId}': {
        delete: {
          operationId: 'unsubscribe',
          tags: ['access'],
          summary: 'Unsubscribe',
          description: 'Ends the subscription (it leaves Git with the next commit), or withdraws a request waiting for approval (its branch is deleted).',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'subscriptionId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: { '202': ok('Queued for Git.', { type: 'object', properties: { requestId: { type: 'string' } } }), '401': problem, '404': problem, '409': problem },
        },
      },
      '/applications/{id}/keys': {
        post: {
          operationId: 'createKey',
          tags: ['access'],
          summary: 'Create an API key',
          description: 'The key is in this response only; Portico keeps its SHA-256, and Git gets a hash or an encrypted Secret.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body({ type: 'object', required: ['title'], properties: { title: { type: 'string', maxLength: 100 }, expiresAt: { type: 'string', format: 'date-time' } } }),
          responses: {
            '201': ok('The key, shown once.', {
              type: 'object',
              properties: {
                key: { type: 'string' },
                keyId: { type: 'string' },
                requestId: { type: 'string' },
                title: { type: 'string' },
                expiresAt: { type: ['string', 'null'], format: 'date-time' },
                status: { type: 'string' },
              },
            }),
            '400': problem,
            '401': problem,
            '404': problem,
          },
        },
      },
      '/applications/{id}/keys/{keyId}': {
        delete: {
          operationId: 'revokeKey',
          tags: ['access'],
          summary: 'Revoke an API key',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'keyId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '202': ok('Revoking: removed from Git at the next writer pass.', { type: 'object', properties: { requestId: { type: 'string' }, status: { const: 'revoking' } } }),
            '401': problem,
            '404': problem,
            '409': problem,
          },
        },
      },
      '/applications/{id}/keys/{keyId}/rotate': {
        post: {
          operationId: 'rotateKey',
          tags: ['access'],
          summary: 'Rotate an API key',
          description: 'A new key, in this response only; the old key stays valid for overlapSeconds (default 86400, at most 30 days), then leaves Git.',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'keyId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          requestBody: body({ type: 'object', properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 2592000 }, title: { type: 'string', maxLength: 100 } } }),
          responses: {
            '201': ok('The new key, shown once.', {
              type: 'object',
              properties: { key: { type: 'string' }, keyId: { type: 'string' }, replaces: { type: 'string' }, overlapUntil: { type: 'string', format: 'date-time' }, requestId: { type: 'string' } },
            }),
            '400': problem,
            '401': problem,
            '404': problem,
            '409': problem,
          },
        },
      },
      '/gateway': {
        get: {
          operationId: 'getGateway',
          tags: ['access'],
          summary: 'Whether the demo gateway runs',
          description:
            "`npm start` runs HAProxy on the committed haproxy policy in front of a demo upstream that answers with the specs' examples. When HAProxy is missing or its port is taken, `running` is false and a console may call `upstreamUrl` directly (no key checks).",
          security: [],
          responses: {
            '200': ok("The demo gateway's state, in words too.", {
              type: 'object',
              required: ['running', 'url', 'upstreamUrl', 'commit', 'note'],
              properties: {
                running: { type: 'boolean' },
                url: { type: ['string', 'null'], format: 'uri', description: 'Where the gateway listens, e.g. http://localhost:8080.' },
                upstreamUrl: { type: ['string', 'null'], format: 'uri', description: 'The demo upstream; it checks no key.' },
                commit: { type: ['string', 'null'], description: 'The target-branch commit whose haproxy files the gateway runs.' },
                note: { type: 'string', description: 'What runs, or why the gateway does not, in plain words.' },
              },
            }),
          },
        },
      },
      '/status': {
        get: {
          operationId: 'getStatus',
          tags: ['access'],
          summary: 'Which commit the docs show, and how the last build and writer pass went',
          description:
            "The commit the served docs were built from and when, a build under way, the last build that failed (the site before stays online), the content's problem counts and the Git writer's last pass. An admin also gets the followed remote, the reasons and the list of problems. `commit` is null for docs built from a folder rather than a followed branch.",
          security: [{}, { session: [] }, { accessToken: [] }],
          responses: {
            '200': ok('The status.', {
              type: 'object',
              required: ['docs', 'writer'],
              properties: {
                docs: {
                  type: 'object',
                  required: ['commit', 'builtAt', 'following', 'building', 'lastUpdate', 'lastCheck', 'lastFailure', 'problems'],
                  properties: {
                    commit: { type: ['string', 'null'] },
                    builtAt: { type: ['string', 'null'], format: 'date-time' },
                    following: { type: ['object', 'null'], description: 'Admins only: the remote (without credentials), branch and folder followed.' },
                    building: { type: ['object', 'null'], description: 'The commit being built, and since when.' },
                    lastUpdate: {
                      type: ['object', 'null'],
                      description: 'The last switch to a newer commit: when, the seconds of each step (check, build, catalog, switch, total), and how many APIs the build rendered and reused.',
                    },
                    lastCheck: { type: ['object', 'null'], description: 'When the branch was last checked and its commit (admins also get why a check failed).' },
                    lastFailure: { type: ['object', 'null'], description: 'The last commit whose docs could not be built, and when (admins also get why).' },
                    problems: { type: 'object', properties: { errors: { type: 'integer' }, warnings: { type: 'integer' }, list: { type: 'array', items: { type: 'object' } } } },
                  },
                },
                writer: { type: 'object', properties: { lastPassAt: { type: ['string', 'null'], format: 'date-time' }, outcome: { type: ['string', 'null'] }, error: { type: 'string' } } },
              },
            }),
          },
        },
      },
      '/openapi.json': {
        get: { operationId: 'getOpenApi', tags: ['auth'], summary: 'This document', security: [], responses: { '200': ok('The OpenAPI 3.1 description of the Portico API.', { type: 'object' }) } },
      },
    },
    components: {
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
    },
  };
}
