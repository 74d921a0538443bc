import type { CatalogApi, CatalogKey } from '../catalog/model.ts';
import type { Resource } from '../catalog/resources.ts';
import type { DocPath } from '../catalog/diagnostics.ts';

/** One route of an IngressRoute that serves a Traefik Hub API: the hosts and path prefixes it matches. */
export interface RouteClaim {
  api: CatalogKey;
  /** The APIVersion the route serves (annotation `hub.traefik.io/api-version`), if any. */
  version?: string;
  /** Hosts from `Host(...)`; `*` when the rule does not restrict the host. */
  hosts: string[];
  /** Paths from `PathPrefix(...)` (prefix) and `Path(...)` (exact); one `/` prefix when neither is given. */
  paths: Array<{ value: string; exact: boolean }>;
  /** Regexes from `PathRegexp(...)` and `HostRegexp(...)`, for the regex rule. */
  regexes: Array<{ matcher: 'PathRegexp' | 'HostRegexp'; value: string }>;
  /** `Header(...)` and `HeaderRegexp(...)` conditions as `name=value` / `name~regex`: routes that differ by them split the traffic. */
  headers: string[];
  resource: Resource;
  docPath: DocPath;
}

const MATCHER = /\b(Host|HostRegexp|Path|PathPrefix|PathRegexp|Header|HeaderRegexp)\(\s*((?:`[^`]*`\s*,?\s*)+)\)/g;

/**
 * Reads `Host(\`a\`) && PathPrefix(\`/b\`)`-style Traefik rules (v2 and v3 syntax); `||` widens the sets.
 * A rule with only `PathRegexp` claims the paths its regexes match, not every path: `paths` is then empty.
 */
export function parseMatchRule(match: string): Pick<RouteClaim, 'hosts' | 'paths' | 'regexes' | 'headers'> {
  const hosts: string[] = [];
  const paths: RouteClaim['paths'] = [];
  const regexes: RouteClaim['regexes'] = [];
  const headers: string[] = [];
  for (const m of match.matchAll(MATCHER)) {
    const args = [...m[2]!.matchAll(/`([^`]*)`/g)].map((a) => a[1]!);
    if (m[1] === 'Header' || m[1] === 'HeaderRegexp') {
      // Header names are case-insensitive; the value (or regex) is kept as written.
      headers.push(`${(args[0] ?? '').toLowerCase()}${m[1] === 'Header' ? '=' : '~'}${args[1] ?? ''}`);
      continue;
    }
    for (const arg of args) {
      if (m[1] === 'Host') hosts.push(arg.toLowerCase());
      else if (m[1] === 'PathPrefix') paths.push({ value: arg, exact: false });
      else if (m[1] === 'Path') paths.push({ value: arg, exact: true });
      else regexes.push({ matcher: m[1] as 'PathRegexp' | 'HostRegexp', value: arg });
    }
  }
  const pathRegexp = regexes.some((r) => r.matcher === 'PathRegexp');
  return { hosts: hosts.length ? hosts : ['*'], paths: paths.length || pathRegexp ? paths : [{ value: '/', exact: false }], regexes, headers: headers.sort() };
}

/**
 * The routes that serve Traefik Hub APIs: IngressRoutes annotated `hub.traefik.io/api` (an API by name)
 * or `hub.traefik.io/api-version` (an APIVersion, resolved to the API that lists it).
 */
export function readRouteClaims(resources: Resource[], apis: CatalogApi[]): RouteClaim[] {
  const claims: RouteClaim[] = [];
  for (const r of resources) {
    if (r.id.kind !== 'IngressRoute') continue;
    const apiName = r.annotations['hub.traefik.io/api'];
    const versionName = r.annotations['hub.traefik.io/api-version'];
    let api: CatalogApi | undefined;
    if (apiName) api = apis.find((a) => a.key === `${r.id.namespace}/${apiName}`);
    else if (versionName) api = apis.find((a) => a.id.namespace === r.id.namespace && a.versions.some((v) => v.name === versionName));
    const routes = Array.isArray(r.spec.routes) ? r.spec.routes : [];
    routes.forEach((route: any, i: number) => {
      if (typeof route?.match !== 'string') return;
      const parsed = parseMatchRule(route.match);
      if (api) claims.push({ api: api.key, version: versionName, ...parsed, resource: r, docPath: ['spec', 'routes', i, 'match'] });
      else if (parsed.regexes.length) claims.push({ api: '', ...parsed, resource: r, docPath: ['spec', 'routes', i, 'match'] });
    });
  }
  return claims;
}
