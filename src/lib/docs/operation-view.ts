import type { OpenApiObject, Operation } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { codeSamples, sampleBodyOf, sampleLiterals, sampleRequest, type CodeSample } from './code-samples.ts';
import { exampleOf } from './example.ts';
import { mediaViews, shareRepeatedTrees, type MediaView } from './media-view.ts';
import { renderInlineMarkdown, renderMarkdown, summariseMarkdown } from './markdown.ts';
import { buildSchemaTree, constraints, typeLabel, type SchemaNode, type TreeOptions } from './schema-tree.ts';
import { describeSecurityScheme, gatewayAuthNote } from './security.ts';
import { hrefOfOperation, type DocsApi, type DocsVersion } from './site.ts';
import { tagAnchor } from './urls.ts';
import { buildTryItSpec, type TryItSpec } from './try-it.ts';
import { isObject } from '../util/is-object.ts';

/** One parameter as the page shows it. */
export interface ParameterView {
  name: string;
  in: string;
  required: boolean;
  deprecated: boolean;
  type: string;
  constraints: string[];
  default?: string;
  enum?: string[];
  example?: string;
  description: string;
  /** Object- or array-shaped parameters get a tree. */
  tree?: SchemaNode;
}

export type { MediaView } from './media-view.ts';

/** One response status. */
export interface ResponseView {
  status: string;
  /** The description's first paragraph as plain text, for the collapsed row. */
  summary: string;
  description: string;
  headers: ParameterView[];
  content: MediaView[];
}

/** Everything an operation page shows, as plain data: the static build and the members' server route both render it. */
export interface OperationView {
  method: string;
  path: string;
  operationId: string;
  title: string;
  summary?: string;
  description: string;
  deprecated: boolean;
  tags: string[];
  parameters: Array<{ location: string; label: string; parameters: ParameterView[] }>;
  requestBody?: { description: string; required: boolean; content: MediaView[] };
  responses: ResponseView[];
  /** Each accepted requirement; `words` is sanitised HTML. */
  security: Array<{ schemes: Array<{ name: string; words: string; scopes: string[] }> }>;
  anonymous: boolean;
  /** Where the authentication comes from when the gateway's configuration says (gatewayAuthNote). */
  authNote?: string;
  samples: CodeSample[];
  /** The strings the samples vary in (URL, header values, body lines): highlighting masks them to share work between operations. */
  sampleLiterals: string[];
  servers: string[];
  /** API › version › tag › operation; the last has no link. */
  breadcrumbs: Array<{ label: string; href?: string }>;
  /** Prefix of the version's schema pages: a schema's page is `${schemaBaseHref}${encodeURIComponent(name)}/`. */
  schemaBaseHref: string;
  /** The Try it panel's data; absent when the API declares no server a browser could reach. */
  tryIt?: TryItSpec;
  /** The same operation in other versions of the API, or the version's page. */
  otherVersions: Array<{ name: string; release: string; href: string; current: boolean; deprecated: boolean }>;
}

const LOCATIONS: Array<[string, string]> = [
  ['path', 'Path parameters'],
  ['query', 'Query parameters'],
  ['header', 'Header parameters'],
  ['cookie', 'Cookie parameters'],
];

/** A parameter or header object in words, with a tree when its schema has structure. */
export function parameterView(doc: OpenApiObject, raw: OpenApiObject, name?: string): ParameterView {
  const p = resolveLocalRef<OpenApiObject>(doc, raw) ?? {};
  const schema = resolveLocalRef<OpenApiObject>(doc, p.schema) ?? {};
  // Alternatives (Stripe's `created`: a range object or an integer) get a tree too, so each one is shown.
  const structured =
    schema.type === 'object' ||
    schema.properties ||
    Array.isArray(schema.oneOf) ||
    Array.isArray(schema.anyOf) ||
    (schema.type === 'array' && isObject(schema.items) && resolveLocalRef<OpenApiObject>(doc, schema.items)?.properties !== undefined);
  const example = p.example ?? schema.example;
  return {
    name: name ?? String(p.name ?? ''),
    in: String(p.in ?? 'header'),
    required: p.required === true,
    deprecated: p.deprecated === true,
    type: isObject(p.schema) ? typeLabel({ doc }, p.schema) : 'string',
    constraints: constraints(schema),
    default: schema.default !== undefined ? JSON.stringify(schema.default) : undefined,
    enum: Array.isArray(schema.enum) ? schema.enum.map((v) => JSON.stringify(v)) : undefined,
    example: example !== undefined ? JSON.stringify(example) : undefined,
    description: renderMarkdown(p.description as string | undefined),
    tree: structured ? buildSchemaTree(doc, p.schema, { maxNodes: 60 }) : undefined,
  };
}

/**
 * How much of a response's schema an operation page expands: less than a request body's 250 nodes,
 * because an operation has several responses, often each with a large error schema (Stripe's
 * `error` reaches its whole object model), and its page is to stay under 30 KB gzip (issue 18).
 * Past the budget, components are links to their schema pages, and inline schemas show their type.
 */
export const RESPONSE_TREE: TreeOptions = { maxNodes: 60, maxTotalNodes: 120 };

/** The responses of an operation or a webhook, by status: description, headers and content. */
export function responseViews(doc: OpenApiObject, responses: Record<string, unknown>): ResponseView[] {
  return Object.entries(responses).map(([status, raw]) => {
    const r = resolveLocalRef<OpenApiObject>(doc, raw) ?? {};
    return {
      status,
      summary: summariseMarkdown(r.description as string | undefined, 90),
      description: renderMarkdown(r.description as string | undefined),
      headers: Object.entries(isObject(r.headers) ? r.headers : {}).map(([name, h]) => parameterView(doc, h as OpenApiObject, name)),
      content: mediaViews(doc, r.content, RESPONSE_TREE),
    };
  });
}

/** Builds the operation page's data from the catalog model and the version's normalised document. */
export function buildOperationView(api: DocsApi, version: DocsVersion, op: Operation): OperationView {
  const doc = version.version.spec?.document ?? {};
  const params = op.parameters.map((p) => parameterView(doc, p));
  const body = resolveLocalRef<OpenApiObject>(doc, op.requestBody);
  const requestContent = body ? mediaViews(doc, body.content) : [];
  const firstBody = body && isObject(body.content) ? Object.entries(body.content)[0] : undefined;
  const sampleBody = firstBody ? { mediaType: firstBody[0], value: exampleOf(doc, firstBody[1]) } : undefined;
  const schemes = version.version.securitySchemes;
  // The samples and Try it send the same body: for a large one, every required field and the first optional ones (the request body section lists all).
  const sentBody = sampleBody && sampleBodyOf(doc, sampleBody.mediaType, isObject(firstBody?.[1]) ? firstBody[1] : {}, sampleBody.value);
  const request = sampleRequest(op, version.version.servers, schemes, sentBody);
  const responses = responseViews(doc, op.responses);
  shareRepeatedTrees([
    { label: 'the request body', anchor: 'request-body', content: requestContent },
    ...responses.map((r) => ({ label: `response ${r.status}`, anchor: `response-${r.status}`, content: r.content })),
  ]);
  return {
    method: op.method.toUpperCase(),
    path: op.path,
    operationId: op.operationId,
    title: op.summary ?? `${op.method.toUpperCase()} ${op.path}`,
    summary: op.summary,
    description: renderMarkdown(op.description),
    deprecated: op.deprecated,
    tags: op.tags,
    parameters: LOCATIONS.map(([location, label]) => ({ location, label, parameters: params.filter((p) => p.in === location) })).filter((g) => g.parameters.length > 0),
    requestBody: body ? { description: renderMarkdown(body.description as string | undefined), required: body.required === true, content: requestContent } : undefined,
    responses,
    security: op.security
      .filter((req) => Object.keys(req).length > 0)
      .map((req) => ({
        schemes: Object.entries(req).map(([name, scopes]) => ({
          name,
          scopes,
          words: renderInlineMarkdown(schemes[name] ? describeSecurityScheme(name, schemes[name]!) : `${name} (not declared in the spec)`),
        })),
      })),
    anonymous: op.security.length === 0 || op.security.some((req) => Object.keys(req).length === 0),
    authNote: gatewayAuthNote(version.version.gatewayAuth),
    samples: codeSamples(request),
    sampleLiterals: sampleLiterals(request),
    breadcrumbs: [
      { label: api.api.title, href: api.href },
      { label: version.version.name, href: version.href },
      ...(op.tags[0] !== undefined ? [{ label: op.tags[0], href: `${version.href}#${tagAnchor(op.tags[0])}` }] : []),
      { label: op.summary ?? `${op.method.toUpperCase()} ${op.path}` },
    ],
    servers: (op.servers ?? version.version.servers).map((s) => s.url),
    schemaBaseHref: `${version.href}schemas/`,
    tryIt: buildTryItSpec({
      api: api.api,
      operation: op,
      servers: version.version.servers,
      schemes,
      parameters: params,
      body: sentBody && { mediaType: sentBody.mediaType, value: sentBody.value, required: body?.required === true },
    }),
    otherVersions: api.versions.map((v) => {
      const same = sameOperationIn(v, op);
      return { name: v.version.name, release: v.version.release, href: same ? hrefOfOperation(api, v, same) : v.href, current: v === version, deprecated: v.version.deprecated };
    }),
  };
}

const operationIndexes = new WeakMap<DocsVersion, { byId: Map<string, number>; byRoute: Map<string, number> }>();

/**
 * The operation of `version` that is `op` in another version: the first with its operationId, or
 * with its method and path. Indexed once per version: a scan per page made Microsoft Graph beta's
 * 22,361 pages cost 22,361² comparisons, 42 s of its build (issue 18).
 */
function sameOperationIn(version: DocsVersion, op: Operation): Operation | undefined {
  let index = operationIndexes.get(version);
  if (!index) {
    index = { byId: new Map(), byRoute: new Map() };
    version.operations.forEach((o, i) => {
      if (!index!.byId.has(o.operationId)) index!.byId.set(o.operationId, i);
      const route = `${o.method} ${o.path}`;
      if (!index!.byRoute.has(route)) index!.byRoute.set(route, i);
    });
    operationIndexes.set(version, index);
  }
  const at = Math.min(index.byId.get(op.operationId) ?? Infinity, index.byRoute.get(`${op.method} ${op.path}`) ?? Infinity);
  return version.operations[at];
}
