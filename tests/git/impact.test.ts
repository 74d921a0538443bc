import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { impactBetween } from '../../src/lib/impact/impact.ts';
import { impactToMarkdown } from '../../src/lib/impact/markdown.ts';
import { main } from '../../src/cli/main.ts';

// A real Git repository in a temp dir: the content lives in `content/`, as in a platform team's repo,
// and each commit makes one change a reviewer must hear about.
let repo: string;
const content = () => path.join(repo, 'content');
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(content(), file)), { recursive: true });
  writeFileSync(path.join(content(), file), text);
};
const edit = (file: string, from: string, to: string) => {
  const full = path.join(content(), file);
  const text = readFileSync(full, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no "${from}"`);
  writeFileSync(full, text.replace(from, to));
};
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
const commit = (message: string) => {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  git('tag', message);
};

const SPEC = `openapi: 3.1.0
info: { title: Parcels, version: 1.0.0 }
servers: [{ url: 'https://api.example.com' }]
paths:
  /parcels:
    get:
      operationId: listParcels
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: { $ref: '#/components/schemas/Parcel' }
    post:
      operationId: createParcel
      responses:
        '201': { description: created }
  /parcels/{id}:
    delete:
      operationId: deleteParcel
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '204': { description: deleted }
components:
  schemas:
    Parcel:
      type: object
      properties:
        id: { type: string }
        weight: { type: number }
`;

const RESOURCES = `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: parcels, namespace: shop }
spec:
  openApiSpec: { path: /openapi.yaml }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIPlan
metadata: { name: gold, namespace: shop }
spec:
  title: Gold
  rateLimit: { limit: 100, period: 1s }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APICatalogItem
metadata: { name: public, namespace: shop }
spec:
  everyone: true
  apis: [{ name: parcels }]
  apiPlan: { name: gold }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APICatalogItem
metadata: { name: partners, namespace: shop }
spec:
  groups: [partners]
  apiPlan: { name: gold }
  apis: []
---
apiVersion: hub.traefik.io/v1alpha1
kind: ManagedApplication
metadata: { name: dashboard, namespace: shop }
spec:
  appId: dashboard
  owner: ops@example.com
---
apiVersion: hub.traefik.io/v1alpha1
kind: ManagedSubscription
metadata: { name: dashboard-gold, namespace: shop }
spec:
  managedApplications: [{ name: dashboard }]
  apis: [{ name: parcels }]
  apiPlan: { name: gold }
`;

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'portico-impact-repo-'));
  git('init', '-q', '-b', 'main');
  write('parcels/openapi.yaml', SPEC);
  write('resources.yaml', RESOURCES);
  commit('base');
  edit('resources.yaml', 'rateLimit: { limit: 100, period: 1s }', 'rateLimit: { limit: 20, period: 1s }');
  commit('limits');
  edit(
    'parcels/openapi.yaml',
    `  /parcels/{id}:
    delete:
      operationId: deleteParcel
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '204': { description: deleted }
`,
    '',
  );
  commit('remove-operation');
  edit(
    'parcels/openapi.yaml',
    `      operationId: listParcels
`,
    `      operationId: listParcels
      parameters:
        - { name: since, in: query, required: true, schema: { type: string } }
`,
  );
  edit('parcels/openapi.yaml', '        weight: { type: number }\n', '');
  commit('required-parameter');
  edit(
    'resources.yaml',
    `  everyone: true
  apis: [{ name: parcels }]`,
    `  everyone: true
  apis: []`,
  );
  edit(
    'resources.yaml',
    `  groups: [partners]
  apiPlan: { name: gold }
  apis: []`,
    `  groups: [partners]
  apiPlan: { name: gold }
  apis: [{ name: parcels }]`,
  );
  commit('move');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('portico impact on a real Git repository', () => {
  it('names a plan whose limits changed, with the catalog items, subscriptions and applications it touches', async () => {
    const r = await impactBetween(content(), 'base..limits');
    expect(r.plans).toEqual([
      {
        plan: 'shop/gold',
        change: 'limits',
        before: 'rate limit 100 requests per second',
        after: 'rate limit 20 requests per second',
        items: ['shop/partners', 'shop/public'],
        subscriptions: ['shop/dashboard-gold'],
        applications: ['dashboard'],
      },
    ]);
    expect(r.operations).toEqual([]);
    expect(r.visibility).toEqual([]);
  });

  it('reports a removed operation as breaking', async () => {
    const r = await impactBetween(content(), 'limits..remove-operation');
    expect(r.operations).toMatchObject([{ api: 'shop/parcels', method: 'DELETE', path: '/parcels/{id}', change: 'removed', breaking: true }]);
    expect(r.breaking).toBe(true);
  });

  it('reports a new required parameter and a removed response field as breaking', async () => {
    const r = await impactBetween(content(), 'remove-operation..required-parameter');
    expect(r.operations).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/parcels',
        change: 'changed',
        breaking: true,
        details: ['new required query parameter "since"', '200: response field [].weight was removed'],
      }),
    ]);
  });

  it('reports an API moved between catalog items as visible to one audience and hidden from another', async () => {
    const r = await impactBetween(content(), 'required-parameter..move');
    expect(r.itemMoves).toEqual([{ api: 'shop/parcels', from: ['shop/public'], to: ['shop/partners'] }]);
    expect(r.visibility).toEqual([
      { api: 'shop/parcels', audience: 'everyone', change: 'hidden', items: ['shop/public'] },
      { api: 'shop/parcels', audience: 'group:partners', change: 'visible', items: ['shop/partners'] },
    ]);
    expect(r.grants).toEqual([]); // the dashboard's subscription is untouched
  });

  it('sums up a whole pull request in Markdown for a comment', async () => {
    const md = impactToMarkdown(await impactBetween(content(), 'base..move'));
    expect(md).toContain('### Breaking changes');
    expect(md).toContain('`DELETE /parcels/{id}`: operation removed');
    expect(md).toContain('new required query parameter "since"');
    expect(md).toContain('`shop/parcels` became **hidden** to everyone');
    expect(md).toContain('| `shop/gold` | rate limit 100 requests per second | rate limit 20 requests per second | `shop/partners`, `shop/public` | `shop/dashboard-gold` | `dashboard` |');
  });

  it('says so when nothing changed for anyone', async () => {
    expect(impactToMarkdown(await impactBetween(content(), 'move..move'))).toContain('No change to who can see or call which API.');
  });

  it('runs from the CLI with --json and leaves the working tree alone', async () => {
    const before = git('status', '--porcelain');
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (chunks.push(s), true)) as typeof process.stdout.write;
    let code;
    try {
      code = await main(['impact', 'base..move', '--json', '--root', content()]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(JSON.parse(chunks.join(''))).toMatchObject({ breaking: true, itemMoves: [{ api: 'shop/parcels' }] });
    expect(git('status', '--porcelain')).toBe(before);
  });
});
