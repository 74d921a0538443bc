import { HTTP_METHODS, type ApiVersion, type OpenApiObject, type Server } from './model.ts';

/*
 * The demo content's specs name the demo gateway of `npm start` at its usual address,
 * http://localhost:8080 (content/README.md, "Servers"). When that gateway listens elsewhere
 * (PORTICO_GATEWAY_PORT), `npm start` sets PORTICO_DEMO_GATEWAY_URL and the catalog moves those
 * servers there, so the docs, the code samples, Try it, the consoles and the relay all use the
 * address that answers. Every other server is left exactly as the spec wrote it.
 */

/** The demo gateway's usual address, as the demo content writes it. */
export const DEMO_GATEWAY_ORIGINS: readonly string[] = ['http://localhost:8080', 'http://127.0.0.1:8080'];

/** The server URL on the demo gateway's usual address moved to `gatewayUrl` (an origin); any other URL unchanged. */
export function moveToDemoGateway(url: string, gatewayUrl: string): string {
  const target = gatewayUrl.replace(/\/+$/, '');
  if (DEMO_GATEWAY_ORIGINS.includes(target)) return url;
  for (const origin of DEMO_GATEWAY_ORIGINS) {
    const head = url.slice(0, origin.length);
    const rest = url.slice(origin.length);
    // The origin must end there: http://localhost:80800 is another server.
    if (head.toLowerCase() === origin && (rest === '' || /^[/?#]/.test(rest))) return target + rest;
  }
  return url;
}

/**
 * Moves one API version's servers on the demo gateway's usual address to `gatewayUrl`: the
 * version's and its operations' servers, and the same in its OpenAPI document (root, path items
 * and operations), which the spec downloads and the Scalar and Swagger UI consoles read.
 * Two servers that end up the same are kept once.
 */
export function moveVersionToDemoGateway(version: ApiVersion, gatewayUrl: string): void {
  version.servers = moveServers(version.servers, gatewayUrl) as Server[];
  for (const op of version.operations) if (op.servers) op.servers = moveServers(op.servers, gatewayUrl) as Server[];
  const doc = version.spec?.document;
  if (!doc) return;
  const moveIn = (holder: unknown) => {
    if (holder && typeof holder === 'object' && Array.isArray((holder as OpenApiObject).servers)) {
      (holder as OpenApiObject).servers = moveServers((holder as OpenApiObject).servers as unknown[], gatewayUrl);
    }
  };
  moveIn(doc);
  for (const item of Object.values((doc.paths as Record<string, unknown> | undefined) ?? {})) {
    if (!item || typeof item !== 'object') continue;
    moveIn(item);
    for (const method of HTTP_METHODS) moveIn((item as OpenApiObject)[method]);
  }
}

/** A servers list with the demo gateway's moved; a moved server that repeats one already listed is dropped. */
function moveServers(servers: unknown[], gatewayUrl: string): unknown[] {
  const urls = new Set(servers.map((s) => (s as Server | null)?.url));
  const out: unknown[] = [];
  for (const server of servers) {
    const url = (server as Server | null)?.url;
    const moved = typeof url === 'string' ? moveToDemoGateway(url, gatewayUrl) : url;
    if (moved === url) out.push(server);
    else if (!urls.has(moved)) {
      urls.add(moved);
      out.push({ ...(server as Server), url: moved });
    }
  }
  return out;
}
