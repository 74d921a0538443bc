import type { Diagnostic } from './diagnostics.ts';
import type { ApiVersion, CatalogApi, FailedApi, VersionSelector } from './model.ts';
import { diagnosticAt, type Resource } from './resources.ts';

/**
 * Versions as the gateway serves them (issue 13, item 4). A Tyk OAS base API with `spec.versioning`
 * names other TykOasApiDefinitions as its versions: one API with versions, not unrelated APIs. And how
 * a client picks a version (a header, a query parameter or a path) comes from the gateway: Tyk's
 * `versioning.location`/`key`, or the routes of Traefik Hub's APIVersions.
 */

const TYK_LOCATIONS: Record<string, VersionSelector['location']> = { header: 'header', 'url-param': 'query', url: 'path' };

/**
 * Folds the TykOasApiDefinitions a base API's `spec.versioning.versions` names into the base API, as
 * its versions (named as `versioning` names them), and removes them from the list. A reference to a
 * definition that is not in the repository is an error at the reference.
 */
export function mergeTykOasVersions(apis: CatalogApi[], failedApis: FailedApi[], resources: Resource[], diagnostics: Diagnostic[]): void {
  for (const r of resources) {
    if (r.id.group !== 'tyk.tyk.io' || r.id.kind !== 'TykOasApiDefinition') continue;
    const versioning = r.spec.versioning;
    if (!versioning || versioning.enabled !== true || !Array.isArray(versioning.versions)) continue;
    const base = apis.find((a) => a.key === `${r.id.namespace}/${r.id.name}`);
    if (!base || base.versions.length !== 1) continue;
    const own = base.versions[0]!;
    if (typeof versioning.name === 'string' && versioning.name) own.name = versioning.name;
    const values: Record<string, string> = { [own.name]: own.name };
    versioning.versions.forEach((entry: any, i: number) => {
      const ref = entry?.tykOasApiDefinitionRef;
      const namespace = typeof ref?.namespace === 'string' && ref.namespace ? ref.namespace : r.id.namespace;
      const key = `${namespace}/${String(ref?.name)}`;
      const index = apis.findIndex((a) => a.key === key && a.gateway.gateway === 'tyk');
      if (index < 0 || key === base.key) {
        diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'versioning', 'versions', i, 'tykOasApiDefinitionRef', 'name'],
            'error',
            'reference',
            `TykOasApiDefinition ${r.id.name} lists version "${entry?.name}" as TykOasApiDefinition "${String(ref?.name)}", which does not exist in namespace ${namespace}`,
          ),
        );
        return;
      }
      const [versionApi] = apis.splice(index, 1) as [CatalogApi];
      const failed = failedApis.findIndex((f) => f.key === key);
      // A broken version breaks the API it belongs to.
      if (failed >= 0) {
        const [f] = failedApis.splice(failed, 1);
        const mine = failedApis.find((x) => x.key === base.key);
        if (mine) mine.reasons.push(...f!.reasons);
        else failedApis.push({ key: base.key, id: base.id, source: base.source, reasons: f!.reasons });
      }
      for (const v of versionApi.versions) {
        const name = typeof entry?.name === 'string' && entry.name ? entry.name : v.name;
        values[name] = name;
        base.versions.push({ ...v, name });
      }
      (base.aliases ??= []).push(key);
    });
    const location = TYK_LOCATIONS[String(versioning.location ?? 'header')] ?? 'header';
    const defaultVersion = typeof versioning.default === 'string' && versioning.default ? versioning.default : undefined;
    base.versionSelector = {
      location,
      key: location === 'path' ? undefined : typeof versioning.key === 'string' && versioning.key ? versioning.key : 'x-api-version',
      defaultVersion,
      resource: `TykOasApiDefinition ${r.id.namespace}/${r.id.name}`,
      values,
    };
    // The default version comes first: it is what a request without a version reaches, and the API's page.
    base.versions.sort((a, b) => Number(b.name === defaultVersion) - Number(a.name === defaultVersion));
  }
}

const HEADER = /\bHeader\(\s*`([^`]*)`\s*,\s*`([^`]*)`\s*\)/;
const QUERY = /\bQuery\(\s*`([^`=]*)=([^`]*)`\s*\)/;
const PREFIX = /\bPath(?:Prefix)?\(\s*`([^`]*)`\s*\)/;

/**
 * How a client picks among a Traefik Hub API's versions: each APIVersion is routed by the routes
 * annotated `hub.traefik.io/api-version`; a `Header(...)` or `Query(...)` matcher names the header or
 * parameter, otherwise distinct path prefixes tell versions apart. The default is the version whose
 * route has no version matcher (or the shortest prefix).
 */
export function hubVersionSelector(api: CatalogApi, resources: Resource[]): VersionSelector | undefined {
  if (api.gateway.gateway !== 'traefik-hub' || api.versions.length < 2) return undefined;
  const matches = new Map<string, string[]>();
  for (const r of resources) {
    if (r.id.kind !== 'IngressRoute' || (r.body.metadata?.namespace && r.id.namespace !== api.id.namespace)) continue;
    const version = r.annotations['hub.traefik.io/api-version'];
    if (!version || !api.versions.some((v) => v.name === version)) continue;
    for (const rule of Array.isArray(r.spec.routes) ? r.spec.routes : []) if (typeof rule?.match === 'string') matches.set(version, [...(matches.get(version) ?? []), rule.match]);
  }
  if (matches.size < 2) return undefined;
  const values: Record<string, string> = {};
  let location: VersionSelector['location'] | undefined;
  let key: string | undefined;
  let defaultVersion: string | undefined;
  for (const [version, rules] of matches) {
    for (const rule of rules) {
      const h = HEADER.exec(rule);
      const q = QUERY.exec(rule);
      if (h) [location, key, values[version]] = ['header', h[1]!, h[2]!];
      else if (q) [location, key, values[version]] = ['query', q[1]!, q[2]!];
      else defaultVersion ??= version;
    }
  }
  if (!location) {
    const all = [...matches].map(([version, rules]) => [version, rules.map((m) => PREFIX.exec(m)?.[1]).filter((p): p is string => !!p)] as const);
    if (all.some(([, ps]) => ps.length === 0)) return undefined;
    for (const [version, ps] of all) values[version] = [...ps].sort((a, b) => b.length - a.length)[0]!;
    if (new Set(Object.values(values)).size < 2) return undefined;
    location = 'path';
    // The default is the version routed on a prefix that every other version's prefix extends.
    const [shortVersion, shortPrefix] = all.flatMap(([version, ps]) => ps.map((p) => [version, p] as const)).sort((a, b) => a[1].length - b[1].length)[0]!;
    defaultVersion = Object.entries(values).every(([v, p]) => v === shortVersion || (p.startsWith(shortPrefix) && p !== shortPrefix)) ? shortVersion : undefined;
  }
  return { location, key, defaultVersion, resource: `APIVersion routes of API ${api.key}`, values };
}

/** Sets `versionSelector` on each Traefik Hub API whose versions' routes say how one is chosen. */
export function applyHubVersionSelectors(apis: CatalogApi[], resources: Resource[]): void {
  for (const api of apis) {
    const selector = hubVersionSelector(api, resources);
    if (selector) api.versionSelector = selector;
  }
}

/** The selector in words, for the version switcher. */
export function describeVersionSelector(selector: VersionSelector): string {
  const dflt = selector.defaultVersion ? `; without one, you get ${selector.defaultVersion}` : '';
  if (selector.location === 'header') return `Choose a version with the header ${selector.key}${dflt} (${selector.resource}).`;
  if (selector.location === 'query') return `Choose a version with the query parameter ${selector.key}${dflt} (${selector.resource}).`;
  return `Each version has its own path prefix${dflt} (${selector.resource}).`;
}

/** What a request sends to reach one version, for the version switcher: `x-api-version: v1`, `?v=2`, `/v2`. */
export function versionSelectorValue(selector: VersionSelector, version: Pick<ApiVersion, 'name'>): string | undefined {
  const value = selector.values[version.name];
  if (value === undefined) return undefined;
  if (selector.location === 'header') return `${selector.key}: ${value}`;
  if (selector.location === 'query') return `?${selector.key}=${value}`;
  return value;
}
