import type { ApiVersion, CatalogApi, GatewayAuth, OpenApiObject, Operation } from './model.ts';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, sourceOf, type Resource } from './resources.ts';
import { isObject } from '../util/is-object.ts';

/**
 * Authentication as the gateway enforces it (issue 13, item 4). A spec often declares no security,
 * or not the one the gateway checks; the gateway's own configuration is what a caller must satisfy:
 * Traefik Hub's APIAuth (the namespace default), Tyk OAS `x-tyk-api-gateway.server.authentication`,
 * and a classic Tyk ApiDefinition's `use_*` switches. What is read here replaces the spec's
 * schemes in the normalised document when they are missing or disagree, so the pages, the code
 * samples and Try it all ask for the credential the gateway wants.
 */

/** What one gateway configuration enforces, before it is applied to a version. */
export interface EnforcedAuth {
  resource: string;
  source: GatewayAuth['source'];
  keyless: boolean;
  schemes: Record<string, OpenApiObject>;
  /** OpenAPI security requirements: alternatives, each a set of schemes that must all be satisfied. */
  requirements: Array<Record<string, string[]>>;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function enforcedBy(r: Resource, words: string): string {
  return `Enforced by the gateway: ${r.id.kind} ${r.id.namespace}/${r.id.name} (${words}).`;
}

function resourceName(r: Resource): string {
  return `${r.id.kind} ${r.id.namespace}/${r.id.name}`;
}

/**
 * The APIAuth that applies to APIs of `namespace`: the one with `isDefault: true` there. The CRD
 * has no per-API reference, so the namespace default is the only one an API gets.
 */
export function defaultApiAuth(apiAuths: Resource[], namespace: string): Resource | undefined {
  return apiAuths.find((r) => r.id.namespace === namespace && r.spec.isDefault === true);
}

/** What a Traefik Hub APIAuth enforces: an API key, a JWT, LDAP credentials, or nothing (keyless). */
export function apiAuthToEnforced(r: Resource): EnforcedAuth {
  const s = r.spec;
  const schemes: Record<string, OpenApiObject> = {};
  if (isObject(s.keyless)) return { resource: resourceName(r), source: sourceOf(r), keyless: true, schemes, requirements: [] };
  if (isObject(s.apiKey)) {
    // Without keySource, Traefik Hub reads `Authorization: Bearer <key>` and the `api_key` query parameter.
    const source = isObject(s.apiKey.keySource) ? s.apiKey.keySource : { header: 'Authorization', headerAuthScheme: 'Bearer', query: 'api_key' };
    if (nonEmpty(source.header)) {
      schemes.apiKey =
        source.header.toLowerCase() === 'authorization' && nonEmpty(source.headerAuthScheme) && source.headerAuthScheme.toLowerCase() === 'bearer'
          ? { type: 'http', scheme: 'bearer', description: enforcedBy(r, 'API key, as a bearer token') }
          : { type: 'apiKey', in: 'header', name: source.header, description: enforcedBy(r, 'API key') };
    }
    if (nonEmpty(source.query)) schemes.apiKeyQuery = { type: 'apiKey', in: 'query', name: source.query, description: enforcedBy(r, 'API key') };
  } else if (isObject(s.jwt)) {
    schemes.jwt = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: enforcedBy(r, 'JWT') };
    if (nonEmpty(s.jwt.tokenQueryKey)) schemes.jwtQuery = { type: 'apiKey', in: 'query', name: s.jwt.tokenQueryKey, description: enforcedBy(r, 'JWT') };
  } else if (isObject(s.ldap)) {
    schemes.ldap = { type: 'http', scheme: 'basic', description: enforcedBy(r, 'LDAP user name and password') };
  }
  // Each key source is an alternative: the gateway takes the credential from whichever is present.
  return { resource: resourceName(r), source: sourceOf(r), keyless: false, schemes, requirements: Object.keys(schemes).map((n) => ({ [n]: [] })) };
}

/**
 * What a Tyk OAS API enforces: `server.authentication` off means keyless; otherwise each enabled
 * entry of `securitySchemes`, which names a scheme of the document's `components.securitySchemes`
 * (Tyk's convention). An entry the document lacks is described from Tyk's own fields.
 */
export function tykOasToEnforced(r: Resource, doc: OpenApiObject | undefined): EnforcedAuth | undefined {
  const tyk = isObject(doc?.['x-tyk-api-gateway']) ? (doc!['x-tyk-api-gateway'] as Record<string, any>) : undefined;
  if (!tyk) return undefined;
  const auth = isObject(tyk.server?.authentication) ? tyk.server.authentication : undefined;
  if (!auth || auth.enabled !== true) return { resource: resourceName(r), source: sourceOf(r), keyless: true, schemes: {}, requirements: [] };
  const declared = isObject((doc!.components as any)?.securitySchemes) ? ((doc!.components as any).securitySchemes as Record<string, OpenApiObject>) : {};
  const schemes: Record<string, OpenApiObject> = {};
  for (const [name, entry] of Object.entries(isObject(auth.securitySchemes) ? auth.securitySchemes : {})) {
    if (!isObject(entry) || entry.enabled === false) continue;
    schemes[name] = isObject(declared[name]) && !('$ref' in declared[name]!) ? declared[name]! : tykSchemeToOpenApi(r, name, entry);
  }
  // Tyk chains several methods: a request must pass each of them.
  return { resource: resourceName(r), source: sourceOf(r), keyless: false, schemes, requirements: Object.keys(schemes).length ? [Object.fromEntries(Object.keys(schemes).map((n) => [n, []]))] : [] };
}

function tykSchemeToOpenApi(r: Resource, name: string, entry: Record<string, any>): OpenApiObject {
  const header = isObject(entry.header) && entry.header.enabled !== false ? entry.header : undefined;
  const query = isObject(entry.query) && entry.query.enabled === true ? entry.query : undefined;
  const cookie = isObject(entry.cookie) && entry.cookie.enabled === true ? entry.cookie : undefined;
  if (/basic/i.test(name)) return { type: 'http', scheme: 'basic', description: enforcedBy(r, 'basic authentication') };
  if (/jwt/i.test(name) || 'signingMethod' in entry || 'source' in entry) return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: enforcedBy(r, 'JWT') };
  const where = header
    ? { in: 'header', name: nonEmpty(header.name) ? header.name : 'Authorization' }
    : query
      ? { in: 'query', name: nonEmpty(query.name) ? query.name : name }
      : cookie
        ? { in: 'cookie', name: nonEmpty(cookie.name) ? cookie.name : name }
        : { in: 'header', name: 'Authorization' };
  return { type: 'apiKey', ...where, description: enforcedBy(r, 'auth token') };
}

/**
 * What a classic Tyk ApiDefinition enforces. `use_keyless` wins over everything; with no method
 * switched on, Tyk falls back to its auth token (standard auth), read from `Authorization`.
 */
export function tykClassicToEnforced(r: Resource): EnforcedAuth {
  const s = r.spec;
  const schemes: Record<string, OpenApiObject> = {};
  if (s.use_keyless === true) return { resource: resourceName(r), source: sourceOf(r), keyless: true, schemes, requirements: [] };
  const tokenConfig = isObject(s.auth_configs?.authToken) ? s.auth_configs.authToken : isObject(s.auth) ? s.auth : {};
  if (s.use_basic_auth === true) schemes.basicAuth = { type: 'http', scheme: 'basic', description: enforcedBy(r, 'use_basic_auth') };
  if (s.enable_jwt === true) schemes.jwt = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: enforcedBy(r, 'enable_jwt') };
  if (s.use_oauth2 === true) {
    const listen = typeof s.proxy?.listen_path === 'string' ? s.proxy.listen_path.replace(/\/+$/, '') : '';
    const types: string[] = Array.isArray(s.oauth_meta?.allowed_access_types) ? s.oauth_meta.allowed_access_types : ['client_credentials'];
    const flows: Record<string, OpenApiObject> = {};
    // Tyk serves its OAuth endpoints under the API's listen path.
    if (types.includes('client_credentials')) flows.clientCredentials = { tokenUrl: `${listen}/oauth/token`, scopes: {} };
    if (types.includes('authorization_code')) flows.authorizationCode = { authorizationUrl: `${listen}/oauth/authorize`, tokenUrl: `${listen}/oauth/token`, scopes: {} };
    if (types.includes('password')) flows.password = { tokenUrl: `${listen}/oauth/token`, scopes: {} };
    schemes.oauth2 = { type: 'oauth2', flows, description: enforcedBy(r, 'use_oauth2') };
  }
  if (s.use_mutual_tls_auth === true) schemes.mutualTLS = { type: 'mutualTLS', description: enforcedBy(r, 'use_mutual_tls_auth') };
  if (s.use_standard_auth === true || Object.keys(schemes).length === 0) {
    const header = nonEmpty(tokenConfig.auth_header_name) ? tokenConfig.auth_header_name : 'Authorization';
    schemes.authToken = {
      type: 'apiKey',
      in: 'header',
      name: header,
      description: enforcedBy(r, s.use_standard_auth === true ? 'use_standard_auth' : "Tyk's default auth token, as no other method is on"),
    };
    if (tokenConfig.use_param === true)
      schemes.authTokenQuery = { type: 'apiKey', in: 'query', name: nonEmpty(tokenConfig.param_name) ? tokenConfig.param_name : header, description: enforcedBy(r, 'use_param') };
    if (tokenConfig.use_cookie === true)
      schemes.authTokenCookie = { type: 'apiKey', in: 'cookie', name: nonEmpty(tokenConfig.cookie_name) ? tokenConfig.cookie_name : header, description: enforcedBy(r, 'use_cookie') };
  }
  const token = ['authToken', 'authTokenQuery', 'authTokenCookie'].filter((n) => n in schemes);
  const others = Object.keys(schemes).filter((n) => !token.includes(n));
  // The token may come from any of its places; several methods are chained, each one required.
  const requirements = token.length ? token.map((t) => Object.fromEntries([t, ...others].map((n) => [n, []]))) : [Object.fromEntries(others.map((n) => [n, []]))];
  return { resource: resourceName(r), source: sourceOf(r), keyless: false, schemes, requirements };
}

/** Do two security schemes ask for the same credential in the same place? */
function sameScheme(a: OpenApiObject, b: OpenApiObject): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'apiKey') return a.in === b.in && String(a.name).toLowerCase() === String(b.name).toLowerCase();
  if (a.type === 'http') return String(a.scheme).toLowerCase() === String(b.scheme).toLowerCase();
  return true;
}

/** Does the version's spec already ask for what the gateway enforces? */
function specAgrees(version: ApiVersion, enforced: EnforcedAuth): boolean {
  const secured = version.operations.some((op) => op.security.some((req) => Object.keys(req).length > 0));
  if (enforced.keyless) return !secured;
  if (!secured) return false;
  const declared = Object.values(version.securitySchemes);
  return Object.values(enforced.schemes).every((e) => declared.some((d) => sameScheme(d, e)));
}

/**
 * Records what the gateway enforces on a version and, when the spec says nothing or something else,
 * puts the enforced schemes into the version and its normalised document (a copy: the parsed spec
 * may be shared with the spec cache). Every operation then carries the enforced requirements.
 */
export function applyGatewayAuth(version: ApiVersion, enforced: EnforcedAuth): void {
  const replace = !specAgrees(version, enforced);
  version.gatewayAuth = { resource: enforced.resource, source: enforced.source, keyless: enforced.keyless, schemes: enforced.schemes, replacedSpec: replace };
  if (!replace) return;
  const requirements = enforced.keyless ? [] : enforced.requirements;
  version.securitySchemes = { ...enforced.schemes };
  version.operations = version.operations.map((op): Operation => ({ ...op, security: requirements.map((r) => ({ ...r })) }));
  const doc = version.spec?.document;
  if (!doc) return;
  const paths: Record<string, OpenApiObject> = {};
  for (const [p, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) {
      paths[p] = item as OpenApiObject;
      continue;
    }
    // Operation-level security would override the document's: drop it, the gateway's applies to all.
    paths[p] = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, isObject(v) && 'security' in v ? withoutSecurity(v) : v]));
  }
  const components = isObject(doc.components) ? { ...doc.components } : {};
  if (Object.keys(enforced.schemes).length) components.securitySchemes = { ...enforced.schemes };
  else delete components.securitySchemes;
  version.spec = { ...version.spec!, document: { ...doc, paths, components, security: requirements } };
}

function withoutSecurity(op: Record<string, unknown>): Record<string, unknown> {
  const { security: _dropped, ...rest } = op;
  return rest;
}

/**
 * Applies what each API's gateway enforces to its versions: the namespace's default APIAuth for
 * Traefik Hub APIs, the definition itself for Tyk. Hub APIs in a namespace without an APIAuth keep
 * their spec: the workspace settings that then apply are not in the repository.
 */
export function applyGatewayAuthToApis(apis: CatalogApi[], resources: Resource[]): void {
  const apiAuths = resources.filter((r) => r.id.group === 'hub.traefik.io' && r.id.kind === 'APIAuth');
  const byId = new Map(resources.map((r) => [`${r.id.group}/${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
  for (const api of apis) {
    const resource = byId.get(`${api.id.group}/${api.id.kind}/${api.id.namespace}/${api.id.name}`);
    if (!resource) continue;
    for (const version of api.versions) {
      let enforced: EnforcedAuth | undefined;
      if (api.gateway.gateway === 'traefik-hub') {
        const auth = defaultApiAuth(apiAuths, api.id.namespace);
        if (auth) enforced = apiAuthToEnforced(auth);
      } else if (api.gateway.flavour === 'classic') enforced = tykClassicToEnforced(resource);
      else enforced = tykOasToEnforced(resource, version.spec?.document);
      if (enforced) applyGatewayAuth(version, enforced);
    }
  }
}

/**
 * Reports APIAuths Portico cannot apply as written: a second default in one namespace (Traefik Hub
 * wants one; the first, by file, is used) and one that is no default, which no API picks up.
 */
export function reportApiAuths(resources: Resource[], diagnostics: Diagnostic[]): void {
  const defaults = new Map<string, Resource>();
  for (const r of resources.filter((x) => x.id.group === 'hub.traefik.io' && x.id.kind === 'APIAuth')) {
    if (r.spec.isDefault !== true) {
      diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['spec', 'isDefault'],
          'info',
          'resource',
          `APIAuth ${r.id.namespace}/${r.id.name} is not the default of its namespace, and the API CRD has no field that names an APIAuth, so Portico shows it on no API`,
        ),
      );
      continue;
    }
    const first = defaults.get(r.id.namespace);
    if (!first) {
      defaults.set(r.id.namespace, r);
      continue;
    }
    diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['spec', 'isDefault'],
        'warning',
        'duplicate',
        `APIAuth ${r.id.name} is a second default for namespace ${r.id.namespace}; Traefik Hub wants one, and Portico uses ${first.id.name} (${first.file}:${first.doc.positionOf(['metadata', 'name']).line})`,
        'set isDefault: false on all but one APIAuth of the namespace',
      ),
    );
  }
}
