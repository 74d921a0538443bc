import { body, ok, problem } from './openapi-parts.ts';

/** The paths of self-service access (the catalog, applications, subscriptions, keys) and of the portal's state. */
export const accessPaths = (): Record<string, unknown> => ({
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
});
