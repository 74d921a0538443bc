import type { ApiVersion, CatalogApi, Server, SourceRef } from './model.ts';
import type { Resource } from './resources.ts';

/**
 * Base URLs from the gateway's routing, for a version whose spec names no usable server (issue 13,
 * item 4): Traefik IngressRoutes and Gateway API HTTPRoutes attached to the API (annotation
 * `hub.traefik.io/api` or `hub.traefik.io/api-version`), and Tyk listen paths. Specs in GitOps
 * repositories often carry a placeholder host (`EXTERNAL_IP`, an unrendered `${VAR}`) that the
 * deployment substitutes; the route is what callers really reach.
 */

const UNRENDERED = /\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]+>/;

/**
 * Is this server URL a placeholder rather than an address: an unrendered `${VAR}` or `{{ var }}`,
 * a host label in capitals with an underscore (`EXTERNAL_IP`), or a `{variable}` the server does
 * not define? `localhost` is a real address for local set-ups.
 */
export function isPlaceholderServer(server: Pick<Server, 'url' | 'variables'>): boolean {
  const url = server.url;
  if (UNRENDERED.test(url)) return true;
  for (const m of url.matchAll(/\{([^}]*)\}/g)) if (!server.variables?.[m[1]!]) return true;
  return placeholderHost(hostOf(url) ?? '');
}

/** Is this host name a placeholder (`customers.EXTERNAL_IP.sslip.io`, `${HOST}`)? */
export function placeholderHost(host: string): boolean {
  if (UNRENDERED.test(host)) return true;
  return host.split('.').some((label) => /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(label));
}

function hostOf(url: string): string | undefined {
  // The URL class lower-cases hosts, which would hide `EXTERNAL_IP`: read the authority as written.
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  return m ? m[1]!.replace(/^[^@]*@/, '').replace(/:\d+$/, '') : undefined;
}

/** Does the version have a server a caller can use (a relative one counts: it is the gateway's own path)? */
function hasUsableServer(version: ApiVersion): boolean {
  return version.servers.some((s) => !isPlaceholderServer(s));
}

/** A route's hosts and path prefixes, with where it is. */
export interface RouteTarget {
  hosts: string[];
  paths: string[];
  https: boolean;
  route: Resource;
}

const HOST_MATCHER = /\bHost\(\s*((?:`[^`]*`\s*,?\s*)+)\)/g;
const PREFIX_MATCHER = /\b(PathPrefix|Path)\(\s*`([^`]*)`\s*\)/g;

/** Hosts and path prefixes of one IngressRoute rule (`Host(\`a\`) && PathPrefix(\`/b\`)`). */
function readMatch(match: string): { hosts: string[]; paths: string[] } {
  const hosts = [...match.matchAll(HOST_MATCHER)].flatMap((m) => [...m[1]!.matchAll(/`([^`]*)`/g)].map((a) => a[1]!));
  const paths = [...match.matchAll(PREFIX_MATCHER)].map((m) => m[2]!);
  return { hosts, paths };
}

function mayBeIn(r: Resource, namespace: string): boolean {
  const own = r.body.metadata?.namespace;
  return typeof own === 'string' && own !== '' ? own === namespace : true;
}

/** The routes attached to an API or one of its versions, as hosts and paths. */
export function routeTargets(resources: Resource[], api: CatalogApi, version: ApiVersion): RouteTarget[] {
  const out: RouteTarget[] = [];
  const gateways = resources.filter((r) => r.id.group === 'gateway.networking.k8s.io' && r.id.kind === 'Gateway');
  for (const r of resources) {
    if (!mayBeIn(r, api.id.namespace)) continue;
    const forApi = r.annotations['hub.traefik.io/api'] === api.id.name;
    const forVersion = r.annotations['hub.traefik.io/api-version'] === version.name;
    if (!forApi && !forVersion) continue;
    const s = r.spec;
    if (r.id.kind === 'IngressRoute') {
      const entryPoints: string[] = Array.isArray(s.entryPoints) ? s.entryPoints : [];
      const https = s.tls !== undefined || entryPoints.includes('websecure');
      for (const rule of Array.isArray(s.routes) ? s.routes : []) {
        if (typeof rule?.match !== 'string') continue;
        const { hosts, paths } = readMatch(rule.match);
        out.push({ hosts, paths, https, route: r });
      }
    } else if (r.id.kind === 'HTTPRoute') {
      const hosts: string[] = Array.isArray(s.hostnames) ? s.hostnames.filter((h: unknown) => typeof h === 'string') : [];
      const paths = (Array.isArray(s.rules) ? s.rules : [])
        .flatMap((rule: any) => (Array.isArray(rule?.matches) ? rule.matches : []))
        .map((m: any) => m?.path?.value)
        .filter((v: unknown): v is string => typeof v === 'string');
      // HTTPS when a parent Gateway listens with TLS.
      const parents: any[] = Array.isArray(s.parentRefs) ? s.parentRefs : [];
      const https = parents.some((p) => gateways.some((g) => g.id.name === p?.name && (Array.isArray(g.spec.listeners) ? g.spec.listeners : []).some((l: any) => l?.protocol === 'HTTPS')));
      out.push({ hosts, paths: paths.length ? paths : [], https, route: r });
    } else if (r.id.kind === 'Ingress') {
      const https = Array.isArray(s.tls) && s.tls.length > 0;
      for (const rule of Array.isArray(s.rules) ? s.rules : []) {
        const paths = (Array.isArray(rule?.http?.paths) ? rule.http.paths : []).map((p: any) => p?.path).filter((v: unknown): v is string => typeof v === 'string');
        out.push({ hosts: typeof rule?.host === 'string' ? [rule.host] : [], paths, https, route: r });
      }
    }
  }
  return out;
}

function joinUrl(base: string, prefix: string): string {
  const p = prefix === '/' ? '' : prefix.replace(/\/+$/, '');
  return `${base}${p}`;
}

/**
 * Servers from the routes: one per host and path, placeholder hosts left out; relative when no host is
 * known. A route forwards the path as it came (no prefix stripping), so when the spec's paths already
 * start with the route's prefix, the server is the host alone.
 */
export function serversFromRoutes(targets: RouteTarget[], operationPaths: string[] = []): Server[] {
  const urls: string[] = [];
  const underPrefix = (prefix: string) => operationPaths.length > 0 && operationPaths.every((p) => p === prefix || p.startsWith(`${prefix.replace(/\/+$/, '')}/`));
  for (const t of targets) {
    const hosts = t.hosts.filter((h) => !placeholderHost(h) && !h.includes('*'));
    const paths = (t.paths.length ? t.paths : ['/']).map((p) => (underPrefix(p) ? '/' : p));
    if (t.hosts.length === 0) for (const p of paths) urls.push(p === '/' ? '/' : p.replace(/\/+$/, ''));
    for (const h of hosts) for (const p of paths) urls.push(joinUrl(`${t.https ? 'https' : 'http'}://${h.toLowerCase()}`, p));
  }
  const unique = [...new Set(urls)].filter((u) => u !== '/');
  return unique.map((url) => ({ url, description: 'From the gateway route' }));
}

/** A Tyk API's server: its custom domain with the listen path when known, else the listen path alone. */
export function tykServer(api: CatalogApi, resource: Resource | undefined, version: ApiVersion): Server | undefined {
  if (api.gateway.gateway !== 'tyk' || !api.gateway.listenPath) return undefined;
  const listen = api.gateway.listenPath.startsWith('/') ? api.gateway.listenPath : `/${api.gateway.listenPath}`;
  const custom = (version.spec?.document as any)?.['x-tyk-api-gateway']?.server?.customDomain;
  const domain =
    api.gateway.flavour === 'oas'
      ? custom && custom.enabled !== false && typeof custom.name === 'string'
        ? custom.name
        : undefined
      : typeof resource?.spec.domain === 'string' && resource.spec.domain
        ? resource.spec.domain
        : undefined;
  if (domain && !placeholderHost(domain)) return { url: `https://${domain}${listen.replace(/\/+$/, '')}`, description: 'From the Tyk custom domain and listen path' };
  return { url: listen, description: "The Tyk listen path, on your gateway's address" };
}

/**
 * Gives each version without a usable server the servers its routes (Traefik) or listen path (Tyk)
 * imply, and notes where they came from. Specs with a real server keep it: the author knows best.
 */
export function applyRouteServers(apis: CatalogApi[], resources: Resource[]): void {
  const byId = new Map(resources.map((r) => [`${r.id.group}/${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
  for (const api of apis) {
    const resource = byId.get(`${api.id.group}/${api.id.kind}/${api.id.namespace}/${api.id.name}`);
    for (const version of api.versions) {
      if (hasUsableServer(version)) continue;
      let servers: Server[] = [];
      let from: { resource: string; source: SourceRef } | undefined;
      if (api.gateway.gateway === 'tyk') {
        const server = tykServer(api, resource, version);
        if (server) {
          servers = [server];
          from = { resource: `${api.id.kind} ${api.key}`, source: api.source };
        }
      } else {
        const targets = routeTargets(resources, api, version);
        servers = serversFromRoutes(
          targets,
          version.operations.map((o) => o.path),
        );
        const first = targets.find((t) => t.hosts.some((h) => !placeholderHost(h)) || t.hosts.length === 0)?.route;
        if (first) from = { resource: `${first.id.kind} ${first.id.namespace}/${first.id.name}`, source: { file: first.file, line: first.doc.positionOf(['kind']).line, column: 1 } };
      }
      if (servers.length === 0 || !from) continue;
      version.servers = servers;
      version.serversFrom = from;
    }
  }
}
