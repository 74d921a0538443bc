import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { ApiVersion, CatalogApi } from '../../catalog/model.ts';
import { isPlaceholderServer, placeholderHost } from '../../catalog/route-servers.ts';
import type { LintInput, LintRule } from '../rule.ts';

/**
 * `servers`: an API version whose OpenAPI document names no server. The portal's try-it and code samples
 * take the base URL from `servers` (or `override.servers`), so such a version can only be read, not tried.
 * Also: a server or route host that is a placeholder (`EXTERNAL_IP`, an unrendered `${VAR}`), which
 * callers cannot reach; Portico then uses the servers the routes or listen path imply, when there are.
 */
export const serversRule: LintRule = {
  name: 'servers',
  description:
    'An API version without a server (OpenAPI servers or openApiSpec.override.servers) gets no try-it and no runnable code samples; a placeholder host (EXTERNAL_IP, ${VAR}) in a server or route is reported.',
  severity: 'warning',
  check(input) {
    const out: Diagnostic[] = [];
    const byKey = new Map(input.resources.map((r) => [`${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
    for (const api of input.catalog.apis) {
      for (const v of api.versions) {
        const r = byKey.get(`APIVersion/${api.id.namespace}/${v.name}`) ?? byKey.get(`${api.id.kind}/${api.id.namespace}/${api.id.name}`);
        out.push(...placeholderServers(input, api, v, r));
        if (!v.spec || v.operations.length === 0 || v.servers.length > 0 || v.operations.every((o) => o.servers?.length)) continue;
        const place = r ? diagnosticAt(r.file, r.doc, ['metadata', 'name'], 'warning', 'servers', '') : { ...v.source, severity: 'warning' as const, rule: 'servers', message: '' };
        out.push({
          ...place,
          message: `${api.versions.length > 1 ? `version ${v.name} of ` : ''}API ${api.key} has no server, so the portal offers no try-it for its ${v.operations.length} operations`,
          hint:
            api.gateway.gateway === 'traefik-hub'
              ? 'add servers to the OpenAPI document, or spec.openApiSpec.override.servers with the public URL'
              : 'add servers to the OpenAPI document with the gateway URL and listen path',
        });
      }
    }
    out.push(...placeholderRouteHosts(input));
    return out;
  },
};

/** What Portico does instead of a placeholder server, in words. */
function instead(v: ApiVersion): string {
  if (v.serversFrom) return `the portal uses ${v.servers.map((s) => s.url).join(', ')} from ${v.serversFrom.resource} instead`;
  return 'no route or listen path gives a real one, so try-it cannot reach it';
}

/** Placeholder URLs in `override.servers` (at the exact field) or in the spec's `servers` (at the line that holds them). */
function placeholderServers(input: LintInput, api: CatalogApi, v: ApiVersion, r: Resource | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const what = `${api.versions.length > 1 ? `version ${v.name} of ` : ''}API ${api.key}`;
  const hint = 'put the public address in the spec or in spec.openApiSpec.override.servers, or render the placeholder before Portico reads the repository';
  const override = r?.spec.openApiSpec?.override?.servers;
  if (r && Array.isArray(override)) {
    override.forEach((s: any, i: number) => {
      if (typeof s?.url !== 'string' || !isPlaceholderServer(s)) return;
      out.push(diagnosticAt(r.file, r.doc, ['spec', 'openApiSpec', 'override', 'servers', i, 'url'], 'warning', 'servers', `server ${s.url} of ${what} has a placeholder host; ${instead(v)}`, hint));
    });
    return out;
  }
  const declared = Array.isArray(v.spec?.document.servers) ? (v.spec!.document.servers as Array<{ url?: unknown; variables?: any }>) : [];
  const file = v.origin.kind === 'configmap' || v.origin.kind === 'path' ? v.origin.file : undefined;
  for (const s of declared) {
    if (typeof s?.url !== 'string' || !isPlaceholderServer({ url: s.url, variables: s.variables })) continue;
    const place = file ? { file, line: lineOf(input.catalog.root, file, s.url), column: 1 } : { ...v.source };
    out.push({ severity: 'warning', rule: 'servers', ...place, message: `server ${s.url} of ${what} has a placeholder host; ${instead(v)}`, hint });
  }
  return out;
}

/** The first line of a file that holds `text` (1 when it cannot be found: the file is still named). */
function lineOf(root: string, file: string, text: string): number {
  try {
    const lines = readFileSync(path.join(root, file), 'utf8').split(/\r?\n/);
    const i = lines.findIndex((l) => l.includes(text));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}

/** Routes of Traefik Hub APIs whose `Host(...)` is a placeholder. */
function placeholderRouteHosts(input: LintInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of input.resources) {
    if (r.id.kind !== 'IngressRoute' || (!r.annotations['hub.traefik.io/api'] && !r.annotations['hub.traefik.io/api-version'])) continue;
    const routes = Array.isArray(r.spec.routes) ? r.spec.routes : [];
    routes.forEach((route: any, i: number) => {
      if (typeof route?.match !== 'string') return;
      const hosts = [...route.match.matchAll(/\bHost\(\s*((?:`[^`]*`\s*,?\s*)+)\)/g)].flatMap((m: RegExpMatchArray) => [...m[1]!.matchAll(/`([^`]*)`/g)].map((a) => a[1]!));
      for (const host of hosts.filter(placeholderHost)) {
        out.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'routes', i, 'match'],
            'warning',
            'servers',
            `IngressRoute ${r.id.name} matches host ${host}, a placeholder, so the portal cannot offer it as a server`,
            'render the placeholder (kustomize replacement, Flux post-build substitution) before Portico reads the repository',
          ),
        );
      }
    });
  }
  return out;
}
