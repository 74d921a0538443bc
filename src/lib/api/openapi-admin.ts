import { body, json, ok, problem } from './openapi-parts.ts';

/** The paths for portal admins: /admin. */
export const adminPaths = (): Record<string, unknown> => ({
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
});
