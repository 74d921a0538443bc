import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Catalog, HttpMethod, OpenApiObject, Operation, Server as ApiServer } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/local-ref.ts';
import { exampleOf } from '../docs/example.ts';
import { isObject } from '../util/is-object.ts';

/*
 * The demo upstream: what the demo gateway forwards to on one machine. It answers every operation
 * of the content repository's APIs with the spec's own example (or one made from the schema), under
 * the path of the API's servers, so `http://localhost:8080/shipments/v2/locations/NL-AMS-HUB1` gets
 * the example of `getLocation`. It never pretends to be the real API: every answer carries
 * `X-Portico-Demo: true`. The body is the spec's example as it is, so it validates against the
 * schema and reads like the docs (a note inside it would be a field the API does not have).
 */

/** Header on every answer of the demo upstream. */
export const DEMO_HEADER = 'X-Portico-Demo';

/** One operation the upstream answers, at one base path (a server's path). */
export interface DemoRoute {
  api: string;
  version: string;
  basePath: string;
  method: HttpMethod;
  operation: Operation;
  doc: OpenApiObject;
  pattern: RegExp;
  /** Template parameters in the path: a literal segment wins over a parameter (`/search` over `/{id}`). */
  parameters: number;
}

/** What the upstream answers to one request. */
export interface DemoAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Every operation of every API version that has a document, under each of its servers' paths. */
export function buildDemoRoutes(catalog: Catalog): DemoRoute[] {
  const routes: DemoRoute[] = [];
  for (const api of catalog.apis) {
    for (const version of api.versions) {
      const doc = version.spec?.document;
      if (!doc) continue;
      for (const operation of version.operations) {
        const bases = new Set([...(operation.servers ?? version.servers)].map(serverBasePath).filter((b): b is string => b !== undefined));
        for (const basePath of bases) {
          routes.push({
            api: api.key,
            version: version.name,
            basePath,
            method: operation.method,
            operation,
            doc,
            pattern: pathPattern(basePath + operation.path),
            parameters: (operation.path.match(/\{[^}]+\}/g) ?? []).length,
          });
        }
      }
    }
  }
  // Most specific first: the longest base path, then the fewest template parameters, then the longest path.
  return routes.sort((a, b) => b.basePath.length - a.basePath.length || a.parameters - b.parameters || b.operation.path.length - a.operation.path.length);
}

/** The path part of a server URL, with variables at their defaults; `''` for a server at the root. */
function serverBasePath(server: ApiServer): string | undefined {
  const url = server.url.replace(/\{([^}]+)\}/g, (_, name: string) => server.variables?.[name]?.default ?? '');
  try {
    return new URL(url, 'http://localhost').pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function pathPattern(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}/?$`);
}

/**
 * The answer to `method pathname`: the operation's first success response with its example, a 405
 * when the path exists with other methods, else a 404 that says what the upstream serves.
 */
export function answerDemoRequest(routes: DemoRoute[], method: string, pathname: string): DemoAnswer {
  const wanted = (method.toLowerCase() === 'head' ? 'get' : method.toLowerCase()) as HttpMethod;
  const matching = routes.filter((r) => r.pattern.test(pathname));
  const route = matching.find((r) => r.method === wanted);
  if (!route) {
    if (matching.length > 0) {
      const allow = [...new Set(matching.map((r) => r.method.toUpperCase()))].sort().join(', ');
      return problem(405, 'Method Not Allowed', `${pathname} answers ${allow} only.`, { Allow: allow });
    }
    return problem(
      404,
      'Not Found',
      `The demo upstream has no operation for ${method.toUpperCase()} ${pathname}. It answers the operations of the APIs in the content repository, under the paths of their servers (for example /shipments/v2/shipments).`,
    );
  }
  return exampleAnswer(route);
}

function exampleAnswer(route: DemoRoute): DemoAnswer {
  const { status, response } = successResponse(route.doc, route.operation.responses);
  const headers: Record<string, string> = { [DEMO_HEADER]: 'true', 'Cache-Control': 'no-store' };
  const location = exampleOf(route.doc, resolveLocalRef<OpenApiObject>(route.doc, (response?.headers as OpenApiObject | undefined)?.Location));
  if (typeof location === 'string' && /^[\x20-\x7e]+$/.test(location)) headers.Location = location;
  if (status === 204 || status === 304 || !isObject(response?.content)) return { status, headers, body: '' };

  const content = response.content as Record<string, OpenApiObject>;
  const mediaType = pickMediaType(Object.keys(content));
  if (!mediaType) return { status, headers, body: '' };
  const media = resolveLocalRef<OpenApiObject>(route.doc, content[mediaType]) ?? {};
  const value = exampleOf(route.doc, media);
  if (value === undefined) return { status, headers, body: '' };
  headers['Content-Type'] = mediaType.includes('*') ? 'application/octet-stream' : mediaType;
  if (!isJson(mediaType)) return { status, headers, body: typeof value === 'string' ? value : JSON.stringify(value, null, 2) };
  return { status, headers, body: JSON.stringify(value, null, 2) };
}

/** The lowest 2xx response; else `2XX` or `default` as 200. */
function successResponse(doc: OpenApiObject, responses: Record<string, OpenApiObject>): { status: number; response?: OpenApiObject } {
  const codes = Object.keys(responses)
    .filter((c) => /^2\d\d$/.test(c))
    .sort();
  const code = codes[0] ?? ['2XX', '2xx', 'default'].find((c) => responses[c] !== undefined);
  if (!code) return { status: 200 };
  return { status: /^\d+$/.test(code) ? Number(code) : 200, response: resolveLocalRef<OpenApiObject>(doc, responses[code]) };
}

function pickMediaType(types: string[]): string | undefined {
  return types.find((t) => t === 'application/json') ?? types.find(isJson) ?? types[0];
}

function isJson(mediaType: string): boolean {
  return /^application\/(.+\+)?json(;|$)/i.test(mediaType);
}

function problem(status: number, title: string, detail: string, extra: Record<string, string> = {}): DemoAnswer {
  return {
    status,
    headers: { [DEMO_HEADER]: 'true', 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...extra },
    body: JSON.stringify({ type: 'about:blank', title, status, detail }),
  };
}

/** A running demo upstream. */
export interface DemoUpstream {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the catalog's examples on loopback; port 0 picks a free one. */
export async function startDemoUpstream(catalog: Catalog, options: { host?: string; port?: number } = {}): Promise<DemoUpstream> {
  const routes = buildDemoRoutes(catalog);
  const server: Server = createServer((req, res) => {
    req.resume(); // the body is not read: the answer is the example whatever was sent
    // A console on the portal's origin may call the upstream directly when the gateway is not
    // running. No credentials are involved and every answer is a spec example, so any origin may read it.
    const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': `${DEMO_HEADER}, Location` };
    const preflight = req.method === 'OPTIONS' ? req.headers['access-control-request-method'] : undefined;
    if (preflight) {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': preflight,
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
        'Access-Control-Max-Age': '600',
        [DEMO_HEADER]: 'true',
      });
      res.end();
      return;
    }
    let pathname = '/';
    try {
      pathname = new URL(req.url ?? '/', 'http://upstream').pathname;
    } catch {
      // an unparsable target gets the 404 below
    }
    const answer = answerDemoRequest(routes, req.method ?? 'GET', pathname);
    res.writeHead(answer.status, { ...cors, ...answer.headers });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
