import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { lintContent } from '../../src/lib/lint/run.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { mediaViews } from '../../src/lib/docs/media-view.ts';
import { buildWebhookView, hrefOfWebhook } from '../../src/lib/docs/webhook-view.ts';
import type { TryItSpec } from '../../src/lib/docs/try-it.ts';
import { buildRequest } from '../../src/client/try-it/request.ts';
import { projectRoot } from '../support/portal.ts';

// Excerpts of published OpenAPI documents (tests/fixtures/openapi-real/*/PROVENANCE.md): the model the
// pages are built from. tests/e2e/openapi-real-pages.test.ts checks the pages themselves.
const fixtures = path.join(projectRoot, 'tests/fixtures/openapi-real');
const work = mkdtempSync(path.join(tmpdir(), 'portico-openapi-real-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let catalog: Catalog;
let site: DocsSite;
beforeAll(async () => {
  catalog = await loadCatalog(fixtures, { offline: true });
  site = buildDocsSite(catalog);
}, 60_000);

function operation(api: string, operationId: string) {
  const found = findVersion(site, api)!;
  const op = found.version.operations.find((o) => o.operationId === operationId)!;
  expect(op, operationId).toBeDefined();
  return buildOperationView(found.api, found.version, op);
}

describe('real OpenAPI documents', () => {
  it('load without a single diagnostic', () => {
    expect(catalog.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule} ${d.message}`)).toEqual([]);
    expect(catalog.failedApis).toEqual([]);
  });

  it('GitHub Enterprise Cloud: a $ref inside an example value is data, not a reference', () => {
    const view = operation('ghec', 'enterprise-admin/get-server-statistics');
    const example = view.responses.find((r) => r.status === '200')!.content[0]!.examples[0]!;
    expect(example.text).toMatch(/"actions_stats": \{\s+"\$ref": "server-statistics-actions.yaml"/);
  });

  it('ReadMe: a multipart file field (type string, format binary) is a file, not any', () => {
    const view = operation('readme', 'uploadAPISpecification');
    const tree = view.requestBody!.content[0]!.tree!;
    expect(tree.children!.find((c) => c.name === 'spec')!.type).toBe('file (media type application/octet-stream)');
  });

  it('local pointers: a $ref into a path item, a parameter or another operation resolves like a component', () => {
    const view = operation('pointers', 'createPet');
    const body = view.requestBody!.content[0]!.tree!;
    const line = (n: { name?: string; type: string; children?: Array<{ name?: string; type: string }> }) =>
      `${n.name}: ${n.type} {${(n.children ?? []).map((c) => `${c.name}: ${c.type}`).join(', ')}}`;
    expect(body.children!.map(line)).toEqual(['pet: object {name: string, tag: string}', 'owner: object {id: string<uuid>, name: string}', 'batch: integer {}']);
    expect(body.children![2]!.constraints).toEqual(['≥ 1', '≤ 100']);
    expect(view.responses[0]!.content[0]!.tree!.children!.map((c) => c.name)).toEqual(['name', 'tag']);
    expect(JSON.parse(view.requestBody!.content[0]!.examples[0]!.text)).toEqual({
      pet: { name: 'string', tag: 'string' },
      owner: { id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', name: 'string' },
      batch: 1,
    });
  });

  it('pets: a generated example sets the discriminator to the value that picks its schema', () => {
    const view = operation('pets', 'addPet');
    expect(JSON.parse(view.requestBody!.content[0]!.examples[0]!.text)).toEqual({ pet_type: 'dog', bark: 'string' });
    // Cat extends Pet, whose own discriminator maps `cat` to it.
    expect(JSON.parse(view.responses[0]!.content[0]!.examples[0]!.text)).toEqual({ pet_type: 'cat', name: 'string' });
    expect(view.samples.find((s) => s.lang === 'curl')!.code).toContain('"pet_type": "dog"');
  });

  it('pets and GitHub: a schema shared by media types or by responses is printed once', () => {
    const pets = operation('pets', 'addPet');
    const created = pets.responses.find((r) => r.status === '201')!;
    expect(created.content.map((m) => m.mediaTypes)).toEqual([['application/json', 'application/xml']]);
    const unblock = operation('ghec', 'users/unblock');
    const trees = unblock.responses.filter((r) => r.content.length > 0).map((r) => [r.status, r.content[0]!.tree!.ref, r.content[0]!.tree!.children?.length ?? 0, r.content[0]!.sameAs?.anchor]);
    expect(trees).toEqual([
      ['401', 'basic-error', 4, undefined],
      ['403', 'basic-error', 0, 'response-401'],
      ['404', 'basic-error', 0, 'response-401'],
    ]);
  });

  it('webhooks only (OpenAPI 3.1): the webhook has a page of its own, with its headers, payload, example and expected answers', () => {
    const found = findVersion(site, 'webhooks')!;
    expect(found.version.version.operations).toEqual([]);
    const webhook = found.version.version.webhooks[0]!;
    expect(hrefOfWebhook(found.version, webhook)).toBe('/apis/webhooks/webhooks/webhooks/newPet/');
    const view = buildWebhookView(found.api, found.version, webhook);
    expect(view.title).toBe('A pet was added');
    expect(view.parameters.map((g) => [g.label, g.parameters.map((p) => `${p.name}${p.required ? ' (required)' : ''}`)])).toEqual([['Headers', ['X-Signature (required)']]]);
    expect(view.payload!.content[0]!.tree!.ref).toBe('Pet');
    expect(view.payload!.content[0]!.examples.map((e) => [e.summary, JSON.parse(e.text)])).toEqual([['A dog called Rex', { id: 7, name: 'Rex', tag: 'dog' }]]);
    expect(view.responses.map((r) => r.status)).toEqual(['200', '410']);
  });

  it('DigitalOcean: schemas in other files are hoisted into named components, so the anyOf options read their names', () => {
    const found = findVersion(site, 'digitalocean')!;
    const doc = found.version.version.spec!.document as any;
    expect(found.version.version.schemaNames).toEqual(expect.arrayContaining(['droplet_action', 'droplet_action_enable_backups', 'droplet_backup_policy', 'action', 'region', 'error']));
    const schema = doc.paths['/v2/droplets/{droplet_id}/actions'].post.requestBody.content['application/json'].schema;
    expect(schema.anyOf[1]).toEqual({ $ref: '#/components/schemas/droplet_action_enable_backups' });
    // The discriminator's mapping names the same components, not the files.
    expect(schema.discriminator.mapping.enable_backups).toBe('#/components/schemas/droplet_action_enable_backups');
    expect(schema.discriminator.mapping.reboot).toBe('#/components/schemas/droplet_action');
    const view = operation('digitalocean', 'dropletActions_post');
    expect(view.requestBody!.content[0]!.tree!.variants!.options.map((o) => o.ref)).toEqual([
      'droplet_action',
      'droplet_action_enable_backups',
      'droplet_action_change_backup_policy',
      'droplet_action_restore',
      'droplet_action_resize',
      'droplet_action_rebuild',
      'droplet_action_rename',
      'droplet_action_change_kernel',
      'droplet_action_snapshot',
    ]);
    // Shared once, not copied into each of the six responses that send it.
    expect(view.responses.filter((r) => r.content[0]?.tree?.ref === 'error').length).toBe(5);
  });

  it("Amazon EC2: required one-value query parameters are sent with their value, before the path's fragment is dropped", () => {
    const view = operation('ec2', 'GET_DescribeRegions');
    for (const sample of view.samples) {
      expect(sample.code).toContain('http://ec2.us-east-1.amazonaws.com/?Action=DescribeRegions&Version=2016-11-15');
      expect(sample.code).not.toContain('#');
      expect(sample.code).not.toMatch(/ACTION|VERSION/);
    }
  });

  it('Stripe: the deepObject `created` filter shows both alternatives, the range object with its fields', () => {
    const view = operation('stripe', 'GetCoupons');
    const created = view.parameters.find((g) => g.location === 'query')!.parameters.find((p) => p.name === 'created')!;
    expect(created.type).toBe('any of');
    const options = created.tree!.variants!.options;
    expect(options.map((o) => [o.title, o.type])).toEqual([
      ['range_query_specs', 'object'],
      [undefined, 'integer'],
    ]);
    expect(options[0]!.children!.map((c) => `${c.name}: ${c.type}`)).toEqual(['gt: integer', 'gte: integer', 'lt: integer', 'lte: integer']);
  });
});

/** A content root with one API whose spec is `specText` (written as `file`). */
function contentWith(name: string, file: string, specText: string): string {
  const root = path.join(work, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, file), specText);
  writeFileSync(
    path.join(root, 'api.yaml'),
    [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      '  name: broken',
      '  annotations:',
      `    portico.dev/openapi-file: ${file}`,
      'spec:',
      '  openApiSpec:',
      '    path: /openapi.yaml',
      '',
    ].join('\n'),
  );
  return root;
}

describe('a $ref in literal data', () => {
  it('is not followed in example, examples, default, const, enum or x- values, but a property named so is a schema', async () => {
    const root = contentWith(
      'literal-refs',
      'spec.yaml',
      `openapi: 3.1.0
info: { title: Literal refs, version: '1' }
paths:
  /things:
    get:
      parameters:
        - name: kind
          in: query
          schema: { type: object, default: { $ref: nowhere-default.yaml }, enum: [{ $ref: nowhere-enum.yaml }], const: { $ref: '#/nowhere/const' } }
          examples:
            one: { value: { $ref: nowhere-example.yaml }, x-note: { $ref: '#/nowhere/x' } }
      x-internal: { $ref: nowhere-extension.yaml }
      responses:
        '200':
          description: ok
          content:
            application/json:
              example: { $ref: '#/nowhere/example' }
              schema:
                type: object
                examples: [{ $ref: nowhere-examples.yaml }]
                properties:
                  example: { $ref: '#/components/schemas/Missing' }
`,
    );
    const loaded = await loadCatalog(root);
    // Only the property called `example` is a schema, and its $ref is checked.
    expect(loaded.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('$ref "#/components/schemas/Missing" points to nothing')]);
  });
});

describe('a spec that does not parse', () => {
  it('is one error per problem, under the openapi rule, and its API is named as failed', async () => {
    const root = contentWith('unparsable', 'spec.yaml', 'openapi: 3.0.3\ninfo:\n  title: Unclosed\n  version: 1.0.0\n  tags: [one, two\npaths: {}\n');
    cpSync(path.join(projectRoot, 'tests/fixtures/bad-openapi/json-syntax-error.json'), path.join(root, 'other.json'));
    const loaded = await loadCatalog(root);
    const about = loaded.diagnostics.filter((d) => d.file === 'spec.yaml');
    expect(about.length).toBeGreaterThan(0);
    const keys = about.map((d) => `${d.line}:${d.column} ${d.message.replace(/^cannot parse( YAML)?: /, '')}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(about.every((d) => d.rule === 'openapi' && d.message.startsWith('cannot parse YAML: '))).toBe(true);
    expect(loaded.failedApis.map((f) => f.key)).toEqual(['default/broken']);
    // A broken file that is no API's spec is still reported, once, as the file it is.
    expect(loaded.diagnostics.filter((d) => d.file === 'other.json').map((d) => d.rule)).toEqual(['yaml']);
    // A file with a duplicate key and a syntax error: the warning is said once too.
    const both = contentWith('unparsable-with-finding', 'spec.yaml', 'openapi: 3.0.3\ninfo:\n  title: A\n  title: B\n  version: 1.0.0\n  tags: [one, two\npaths: {}\n');
    const twice = (await loadCatalog(both)).diagnostics.filter((d) => d.file === 'spec.yaml').map((d) => `${d.line}:${d.column} ${d.message.replace(/^cannot parse( YAML)?: /, '')}`);
    expect(twice.length).toBeGreaterThan(1);
    expect(new Set(twice).size).toBe(twice.length);
    const lint = await lintContent(root);
    const lintKeys = lint.diagnostics.filter((d) => d.file === 'spec.yaml').map((d) => `${d.line}:${d.column}`);
    expect(lintKeys.length).toBe(keys.length);
  });
});

describe('a body that is a file', () => {
  it('is a file of its media type when the 3.0→3.1 upgrade left its schema empty', () => {
    const doc = { openapi: '3.1.0', paths: {} };
    const views = mediaViews(doc, { 'image/png': { schema: {} }, 'application/json': { schema: {} }, 'application/pdf': {} });
    expect(views.map((v) => [v.mediaType, v.tree?.type])).toEqual([
      ['image/png', 'file (media type image/png)'],
      ['application/json', 'any'],
      ['application/pdf', 'file (media type application/pdf)'],
    ]);
  });
});

describe('Try it on a path with a fragment', () => {
  it("sends the query before where the fragment was, with the fragment's pairs the form did not fill", () => {
    const spec: TryItSpec = {
      api: 'real/ec2',
      apiTitle: 'EC2',
      method: 'GET',
      path: '/#Action=DescribeRegions',
      servers: ['http://ec2.us-east-1.amazonaws.com'],
      parameters: [{ name: 'Version', in: 'query', required: true, value: '' }],
      anonymous: true,
      operationSets: [],
    };
    const request = buildRequest(spec, { server: 'http://ec2.us-east-1.amazonaws.com', parameters: { 'query:Version': '2016-11-15' }, credential: '' });
    expect(request).toMatchObject({ url: 'http://ec2.us-east-1.amazonaws.com/?Version=2016-11-15&Action=DescribeRegions' });
  });
});

describe('schemas hoisted from other files', () => {
  it('are named by their title, else their file, and never take a name already used', async () => {
    const root = path.join(work, 'hoisting');
    mkdirSync(path.join(root, 'a'), { recursive: true });
    mkdirSync(path.join(root, 'b'), { recursive: true });
    writeFileSync(path.join(root, 'a/pet.yaml'), 'title: Cat pet\ntype: object\nproperties: {meow: {type: boolean}}\n');
    writeFileSync(path.join(root, 'b/pet.yaml'), 'type: object\nproperties: {bark: {type: boolean}}\n');
    writeFileSync(path.join(root, 'c.yaml'), 'type: object\nproperties: {any: {type: string}}\n');
    writeFileSync(
      path.join(root, 'spec.yaml'),
      `openapi: 3.1.0
info: { title: Hoisting, version: '1' }
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                oneOf: [{ $ref: a/pet.yaml }, { $ref: b/pet.yaml }, { $ref: c.yaml }, { $ref: c.yaml }]
components:
  schemas:
    pet: { type: string }
    Named: { $ref: c.yaml }
`,
    );
    writeFileSync(
      path.join(root, 'api.yaml'),
      ['apiVersion: hub.traefik.io/v1alpha1', 'kind: API', 'metadata:', '  name: hoisting', 'spec:', '  openApiSpec:', '    path: /spec.yaml', '  ', '']
        .join('\n')
        .replace('  openApiSpec:', '  openApiSpec:')
        .replace('metadata:\n  name: hoisting', 'metadata:\n  name: hoisting\n  annotations:\n    portico.dev/openapi-file: spec.yaml'),
    );
    const loaded = await loadCatalog(root);
    expect(loaded.diagnostics).toEqual([]);
    const doc = loaded.apis[0]!.versions[0]!.spec!.document as any;
    expect(doc.paths['/pets'].get.responses['200'].content['application/json'].schema.oneOf.map((o: { $ref: string }) => o.$ref)).toEqual([
      '#/components/schemas/Cat_pet',
      '#/components/schemas/pet2',
      '#/components/schemas/Named',
      '#/components/schemas/Named',
    ]);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(['Cat_pet', 'Named', 'pet', 'pet2']);
    expect(doc.components.schemas.Named.properties.any).toEqual({ type: 'string' });
  });
});
