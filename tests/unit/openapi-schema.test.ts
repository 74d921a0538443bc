import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateOpenApiDocument } from '../../src/lib/catalog/openapi-schema.ts';

const swagger2 = `
swagger: "2.0"
info: { title: Parcels, version: "1.0" }
paths:
  /parcels/{id}:
    parameters:
      - { name: id, in: path, required: true, type: string }
    get:
      operationId: getParcel
      responses:
        "200": { description: the parcel }
`;

const openapi30 = `
openapi: 3.0.3
info: { title: Parcels, version: "1.0" }
paths:
  /parcels/{id}:
    get:
      operationId: getParcel
      parameters:
        - $ref: '#/components/parameters/ParcelId'
      responses:
        "200":
          description: the parcel
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Parcel' }
components:
  parameters:
    ParcelId: { name: id, in: path, required: true, schema: { type: string } }
  schemas:
    Parcel:
      type: object
      nullable: true
      properties: { id: { type: string } }
`;

const openapi31 = `
openapi: 3.1.0
info: { title: Parcels, version: "1.0", license: { name: Apache-2.0, identifier: Apache-2.0 } }
paths:
  /parcels/{id}:
    get:
      operationId: getParcel
      parameters:
        - { name: id, in: path, required: true, schema: { type: [string, "null"] } }
      responses:
        "200":
          description: the parcel
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Parcel' }
webhooks:
  parcelDelivered:
    post:
      operationId: parcelDelivered
      responses: { "200": { description: ok } }
components:
  schemas:
    Parcel: { type: object, properties: { id: { const: abc } } }
`;

const doc = (yaml: string) => parse(yaml) as Record<string, unknown>;

describe('valid documents', () => {
  it.each([
    ['Swagger 2.0', swagger2],
    ['OpenAPI 3.0', openapi30],
    ['OpenAPI 3.1', openapi31],
  ])('%s has no issues', (_name, yaml) => {
    expect(validateOpenApiDocument(doc(yaml))).toEqual([]);
  });

  it('the GitHub REST description (13 MB, OpenAPI 3.0.3) validates with no issues, quickly', () => {
    const github = JSON.parse(readFileSync(new URL('../../node_modules/@octokit/openapi/generated/api.github.com.json', import.meta.url), 'utf8'));
    // The CPU time this process spends, not the wall clock: on a shared CI machine other processes' work is not ours.
    const started = process.cpuUsage();
    expect(validateOpenApiDocument(github)).toEqual([]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000, 'CPU milliseconds spent validating').toBeLessThan(3_000);
  });
});

describe('schema errors in plain words, at the exact path', () => {
  it('missing info', () => {
    const d = doc(openapi30);
    delete d.info;
    expect(validateOpenApiDocument(d)).toEqual([{ path: [], message: 'the document is missing required field `info`' }]);
    const s = doc(swagger2);
    delete s.info;
    expect(validateOpenApiDocument(s)).toEqual([{ path: [], message: 'the document is missing required field `info`' }]);
  });

  it('wrong type', () => {
    expect(validateOpenApiDocument(doc(openapi31.replace('title: Parcels', 'title: 42')))).toEqual([{ path: ['info', 'title'], message: '`info.title` must be a string, not the number 42' }]);
    expect(validateOpenApiDocument(doc(swagger2.replace('required: true', 'required: "yes"')))).toEqual([
      { path: ['paths', '/parcels/{id}', 'parameters', 0, 'required'], message: '`paths["/parcels/{id}"].parameters[0].required` must be a boolean, not the string "yes"' },
    ]);
  });

  it('condenses oneOf failures to the branch that was meant', () => {
    const bad = openapi30.replace('schema: { type: string } }', 'schema: { type: strin } }');
    expect(validateOpenApiDocument(doc(bad))).toEqual([
      {
        path: ['components', 'parameters', 'ParcelId', 'schema', 'type'],
        message: '`components.parameters.ParcelId.schema.type` must be one of `array`, `boolean`, `integer`, `number`, `object`, `string` (got `strin`)',
      },
    ]);
    const badIn = swagger2.replace('in: path', 'in: body');
    expect(validateOpenApiDocument(doc(badIn))).toEqual([
      { path: ['paths', '/parcels/{id}', 'parameters', 0], message: '`paths["/parcels/{id}"].parameters[0]` is missing required field `schema`' },
      { path: ['paths', '/parcels/{id}', 'parameters', 0, 'type'], message: 'unknown field `paths["/parcels/{id}"].parameters[0].type` (extensions must start with `x-`)' },
      {
        path: ['paths', '/parcels/{id}'],
        message: 'path parameter `id` in `/parcels/{id}` is not declared: add a parameter with `name: id`, `in: path`, `required: true`',
      },
    ]);
  });

  it('unknown fields name the closest allowed one', () => {
    expect(validateOpenApiDocument(doc(openapi31.replace('info: {', 'info: { sumary: x,')))).toEqual([{ path: ['info', 'sumary'], message: 'unknown field `info.sumary`; did you mean `summary`?' }]);
  });

  it('unsupported or missing version gives one clear issue', () => {
    expect(validateOpenApiDocument({ openapi: '4.0.0', info: {}, paths: {} })).toEqual([
      { path: ['openapi'], message: '`openapi: 4.0.0` is not a version Portico reads; use OpenAPI 3.1.x, 3.0.x or Swagger 2.0' },
    ]);
    expect(validateOpenApiDocument({ info: { title: 'x', version: '1' }, paths: {} })).toEqual([
      { path: [], message: 'the document has neither `openapi` nor `swagger`, so its version is unknown; add e.g. `openapi: 3.1.0`' },
    ]);
  });
});

describe('semantic checks the schema cannot make', () => {
  it('duplicate operationId points at the second one', () => {
    const d = doc(openapi31.replace('operationId: parcelDelivered', 'operationId: getParcel'));
    expect(validateOpenApiDocument(d)).toEqual([
      { path: ['webhooks', 'parcelDelivered', 'post', 'operationId'], message: 'operationId `getParcel` is already used by GET /parcels/{id}; operationIds must be unique' },
    ]);
  });

  it('undeclared path template parameter', () => {
    const d = doc(openapi30.replace('/parcels/{id}:', '/parcels/{id}/events/{eventId}:'));
    expect(validateOpenApiDocument(d)).toEqual([
      {
        path: ['paths', '/parcels/{id}/events/{eventId}'],
        message: 'path parameter `eventId` in `/parcels/{id}/events/{eventId}` is not declared: add a parameter with `name: eventId`, `in: path`, `required: true`',
      },
    ]);
  });

  it('undeclared in one operation only is reported on that operation', () => {
    const d = doc(openapi30);
    const item = (d.paths as Record<string, Record<string, unknown>>)['/parcels/{id}']!;
    item.delete = { operationId: 'deleteParcel', responses: { '204': { description: 'gone' } } };
    expect(validateOpenApiDocument(d)).toEqual([
      {
        path: ['paths', '/parcels/{id}', 'delete'],
        message: 'DELETE /parcels/{id}: path parameter `id` is not declared: add a parameter with `name: id`, `in: path`, `required: true`',
      },
    ]);
  });

  it('declared path parameter absent from the template', () => {
    const d = doc(swagger2.replace('/parcels/{id}:', '/parcels:'));
    expect(validateOpenApiDocument(d)).toEqual([{ path: ['paths', '/parcels', 'parameters', 0], message: 'path parameter `id` is declared but `/parcels` has no `{id}`' }]);
  });

  it('required: false on a path parameter', () => {
    const d = doc(openapi31.replace('in: path, required: true', 'in: path, required: false'));
    expect(validateOpenApiDocument(d)).toEqual([
      {
        path: ['paths', '/parcels/{id}', 'get', 'parameters', 0, 'required'],
        message: 'path parameter `id` has `required: false`; path parameters are always required, so set `required: true`',
      },
    ]);
  });

  it('does not guess when a parameter comes from another file', () => {
    const d = doc(openapi30.replace("$ref: '#/components/parameters/ParcelId'", "$ref: 'parameters.yaml#/ParcelId'"));
    expect(validateOpenApiDocument(d)).toEqual([]);
  });
});
