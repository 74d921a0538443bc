import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic, DocPath } from '../../catalog/diagnostics.ts';
import type { ApiVersion, CatalogApi, CatalogKey, SourceRef } from '../../catalog/model.ts';
import { readRouteClaims } from '../routes.ts';
import type { LintRule } from '../rule.ts';

/** One method and path an API exposes on one host of one gateway. */
interface Endpoint {
  api: CatalogKey;
  /** `traefik:<host>` or `tyk:<domain>`: two gateways never conflict with each other. */
  host: string;
  method: string;
  /** The path with every `{param}` written `{}`, so `/a/{id}` and `/a/{key}` are the same route. */
  path: string;
  /** What a person sees in the message. */
  shown: string;
  where: { resource?: Resource; docPath: DocPath; source: SourceRef };
}

const joinPath = (base: string, rest: string) => `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;
const normalise = (p: string) => p.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '') || '/';

function serverBase(v: ApiVersion): { host?: string; path: string } {
  const url = v.servers[0]?.url;
  if (!url) return { path: '' };
  try {
    const u = new URL(url.replace(/\{[^}]*\}/g, 'x'));
    return { host: u.host.toLowerCase(), path: decodeURI(u.pathname).replace(/\/+$/, '') };
  } catch {
    return { path: url.startsWith('/') ? url.replace(/\/+$/, '') : '' };
  }
}

/** Every endpoint each API version exposes: its operations under each route, listen path or server. */
function collectEndpoints(input: Parameters<LintRule['check']>[0]): Endpoint[] {
  const { catalog, resources } = input;
  const claims = readRouteClaims(resources, catalog.apis).filter((c) => c.api);
  const byKey = new Map(resources.map((r) => [`${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
  const out: Endpoint[] = [];
  for (const api of catalog.apis) {
    const apiResource = byKey.get(`${api.id.kind}/${api.id.namespace}/${api.id.name}`);
    for (const v of api.versions) {
      const bases: Array<{ host: string; prefix?: { value: string; exact: boolean }; regex?: string; where: Endpoint['where'] }> = [];
      const server = serverBase(v);
      if (api.gateway.gateway === 'tyk') {
        const listen = api.gateway.listenPath;
        if (!listen) continue;
        const domain = ((v.spec?.document as any)?.['x-tyk-api-gateway']?.server?.customDomain?.name as string | undefined) ?? apiResource?.spec.domain ?? '*';
        const docPath: DocPath = api.gateway.flavour === 'classic' ? ['spec', 'proxy', 'listen_path'] : ['metadata', 'name'];
        bases.push({ host: `tyk:${domain}`, prefix: { value: listen, exact: false }, where: { resource: apiResource, docPath, source: api.source } });
      } else {
        const mine = claims.filter((c) => c.api === api.key && (!c.version || c.version === v.name));
        for (const c of mine) {
          // Routes told apart by a header matcher split the traffic between them: each header set is its own "host".
          for (const host of c.hosts.map((h) => `traefik:${h}${c.headers.length ? ` with header ${c.headers.join(' and ')}` : ''}`)) {
            const where = { resource: c.resource, docPath: c.docPath, source: api.source };
            for (const p of c.paths) bases.push({ host, prefix: p, where });
            for (const r of c.regexes) if (r.matcher === 'PathRegexp') bases.push({ host, regex: r.value, where });
          }
        }
        if (mine.length === 0 && server.host) bases.push({ host: `traefik:${server.host}`, where: { resource: apiResource, docPath: ['metadata', 'name'], source: api.source } });
      }
      for (const base of bases) {
        if (base.regex !== undefined) {
          out.push(...regexEndpoints(api.key, base.host, base.regex, server.path, v, base.where, apiResource));
          continue;
        }
        if (v.operations.length === 0 && base.prefix) {
          // No operations known: the route itself is the claim (a classic Tyk API, a Hub API without spec).
          out.push({
            api: api.key,
            host: base.host,
            method: '*',
            path: `${normalise(base.prefix.value)}${base.prefix.exact ? '' : '/*'}`,
            shown: `${base.prefix.value}${base.prefix.exact ? '' : '*'}`,
            where: base.where,
          });
          continue;
        }
        for (const op of v.operations) {
          let full = joinPath(server.path, op.path);
          if (api.gateway.gateway === 'tyk') full = joinPath(base.prefix!.value, op.path);
          else if (base.prefix && !full.startsWith(base.prefix.value.replace(/\/+$/, ''))) full = joinPath(base.prefix.value, op.path);
          out.push({
            api: api.key,
            host: base.host,
            method: op.method.toUpperCase(),
            path: normalise(full),
            shown: `${op.method.toUpperCase()} ${full}`,
            where: { resource: apiResource && base.where.resource === apiResource ? undefined : base.where.resource, docPath: base.where.docPath, source: op.source },
          });
        }
      }
    }
  }
  return out;
}

/**
 * The endpoints a `PathRegexp` route serves: the operations whose path the regex matches (a path
 * parameter stands for one segment), or, with no operations known, the regex itself as the claim.
 */
function regexEndpoints(api: CatalogKey, host: string, regex: string, serverPath: string, v: ApiVersion, where: Endpoint['where'], apiResource: Resource | undefined): Endpoint[] {
  let re: RegExp;
  try {
    re = new RegExp(regex.replace(/^\(\?i\)/, ''), regex.startsWith('(?i)') ? 'i' : '');
  } catch {
    return []; // the regex rule reports regexes that do not compile
  }
  if (v.operations.length === 0) return [{ api, host, method: '*', path: `~${regex}`, shown: `paths matching ${regex}`, where }];
  const out: Endpoint[] = [];
  for (const op of v.operations) {
    const full = joinPath(serverPath, op.path);
    if (!re.test(full.replace(/\{[^}]*\}/g, '1'))) continue;
    out.push({
      api,
      host,
      method: op.method.toUpperCase(),
      path: normalise(full),
      shown: `${op.method.toUpperCase()} ${full}`,
      where: { resource: apiResource && where.resource === apiResource ? undefined : where.resource, docPath: where.docPath, source: op.source },
    });
  }
  return out;
}

/**
 * `route-conflict`: two APIs expose the same method and path on one host (or Tyk listen path). The gateway
 * sends such requests to one of them, by rule priority, and the other API's docs describe calls that never
 * reach it. Each pair of APIs is reported once per host, with the first conflicting operations.
 */
export const routeConflictRule: LintRule = {
  name: 'route-conflict',
  description:
    'Two APIs expose the same method and path on one host (IngressRoute Host/PathPrefix/PathRegexp, Tyk listen path, or OpenAPI servers); routes told apart by Header or HeaderRegexp do not conflict.',
  severity: 'error',
  check(input) {
    const byRoute = new Map<string, Endpoint[]>();
    for (const e of collectEndpoints(input)) {
      const key = `${e.host} ${e.method} ${e.path}`;
      const list = byRoute.get(key) ?? [];
      if (!list.some((x) => x.api === e.api)) list.push(e);
      byRoute.set(key, list);
    }
    const pairs = new Map<string, { first: Endpoint; second: Endpoint; shown: string[] }>();
    for (const list of byRoute.values()) {
      for (let i = 1; i < list.length; i++) {
        const [first, second] = [list[0]!, list[i]!].sort((a, b) => a.api.localeCompare(b.api)) as [Endpoint, Endpoint];
        const key = `${first.host} ${first.api} ${second.api}`;
        const pair = pairs.get(key) ?? { first, second, shown: [] as string[] };
        pair.shown.push(second.shown);
        pairs.set(key, pair);
      }
    }
    const out: Diagnostic[] = [];
    for (const { first, second, shown } of pairs.values()) {
      const host = second.host.replace(/^(traefik|tyk):/, '');
      const list = shown.slice(0, 3).join(', ') + (shown.length > 3 ? ` and ${shown.length - 3} more` : '');
      const message = `APIs ${first.api} and ${second.api} both expose ${list} on ${host === '*' ? 'every host' : `host ${host}`}; the gateway routes each call to only one of them`;
      const hint = 'give the APIs distinct path prefixes or hosts, or remove the operation from one of them';
      const d = second.where.resource
        ? diagnosticAt(second.where.resource.file, second.where.resource.doc, second.where.docPath, 'error', 'route-conflict', message, hint)
        : { severity: 'error' as const, rule: 'route-conflict', message, hint, ...second.where.source };
      out.push(d);
    }
    return out;
  },
};
