import { parseGoDuration } from './go-duration.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { CatalogApi, CatalogPlan } from './model.ts';
import { diagnosticAt, sourceOf, type Resource } from './resources.ts';

/**
 * Kinds that used to be dropped without a word (issue 13, item 4): Traefik Hub's deprecated
 * APIRateLimit (read as a plan), APIPortalAuth and AIService (recognised and reported), AI and MCP
 * APIs (marked for what they are), and Tyk's APIDescription (the portal text of a classic API).
 */

const HUB = 'hub.traefik.io';
const TYK = 'tyk.tyk.io';
const ofKind = (resources: Resource[], group: string, kind: string) => resources.filter((r) => r.id.group === group && r.id.kind === kind);

/**
 * APIRateLimit (Traefik Hub before APIPlan) as a plan: `limit` requests per `period` (one second when
 * absent, Traefik Hub's default). A warning says what replaces it.
 */
export function readApiRateLimitPlans(resources: Resource[], diagnostics: Diagnostic[]): CatalogPlan[] {
  return ofKind(resources, HUB, 'APIRateLimit').map((r) => {
    diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['kind'],
        'warning',
        'legacy',
        `APIRateLimit is deprecated in Traefik Hub; Portico reads ${r.id.name} as a plan of ${typeof r.spec.limit === 'number' ? r.spec.limit : '?'} requests per ${typeof r.spec.period === 'string' ? r.spec.period : '1s'}`,
        'replace it with an APIPlan (spec.rateLimit) offered through an APICatalogItem or ManagedSubscription',
      ),
    );
    return {
      key: `${r.id.namespace}/${r.id.name}`,
      id: r.id,
      title: r.annotations['portico.dev/title'] ?? r.id.name,
      description: r.annotations['portico.dev/description'],
      rateLimit: typeof r.spec.limit === 'number' ? { requests: r.spec.limit, periodSeconds: parseGoDuration(r.spec.period) ?? 1 } : undefined,
      source: sourceOf(r),
    };
  });
}

/** APIPortalAuth configures sign-in to Traefik Hub's own portal; Portico has its own, so it is reported, not used. */
export function reportPortalAuths(resources: Resource[], diagnostics: Diagnostic[]): void {
  for (const r of ofKind(resources, HUB, 'APIPortalAuth')) {
    const how = r.spec.oidc ? `OIDC with ${String(r.spec.oidc.issuerUrl ?? 'an issuer')}` : r.spec.ldap ? `LDAP at ${String(r.spec.ldap.url ?? 'a server')}` : 'no method';
    diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['kind'],
        'info',
        'resource',
        `APIPortalAuth ${r.id.namespace}/${r.id.name} signs people in to Traefik Hub's portal (${how}); Portico's portal has its own sign-in, so it does not use it`,
        'to sign in to Portico through the same provider, set PORTICO_OIDC_ISSUER and its client settings (see the README)',
      ),
    );
  }
}

const AI_PROVIDERS: Record<string, string> = {
  anthropic: 'Anthropic',
  azureOpenai: 'Azure OpenAI',
  bedrock: 'Amazon Bedrock',
  cohere: 'Cohere',
  deepSeek: 'DeepSeek',
  gemini: 'Gemini',
  mistral: 'Mistral',
  ollama: 'Ollama',
  openai: 'OpenAI',
  qwen: 'Qwen',
};

/** An AIService's provider and model in words: `Anthropic, model claude-3-haiku`. */
function describeAiService(r: Resource): string {
  const provider = Object.keys(r.spec).find((k) => k in AI_PROVIDERS);
  if (!provider) return 'a language model provider';
  const model = r.spec[provider]?.model;
  return `${AI_PROVIDERS[provider]}${typeof model === 'string' && model ? `, model ${model}` : ''}`;
}

/**
 * Marks AI gateway and MCP APIs. The API CRD has no field for it (hub-crds v1.33), so the route says:
 * an API whose route sends calls to an AIService (`kind: AIService`, or the TraefikService
 * `<namespace>-<name>@ai-gateway-service` Traefik Hub creates for it) is an AI API; one whose route
 * goes through a Middleware configuring `mcp` is an MCP server.
 */
export function markApiFlavours(apis: CatalogApi[], resources: Resource[], diagnostics: Diagnostic[]): void {
  const aiServices = ofKind(resources, HUB, 'AIService');
  const middlewares = resources.filter((r) => r.id.kind === 'Middleware');
  for (const api of apis) {
    if (api.gateway.gateway !== 'traefik-hub') continue;
    const routes = resources.filter(
      (r) =>
        r.id.kind === 'IngressRoute' &&
        (r.annotations['hub.traefik.io/api'] === api.id.name || api.versions.some((v) => r.annotations['hub.traefik.io/api-version'] === v.name)) &&
        (!r.body.metadata?.namespace || r.id.namespace === api.id.namespace),
    );
    for (const route of routes) {
      for (const rule of Array.isArray(route.spec.routes) ? route.spec.routes : []) {
        for (const svc of Array.isArray(rule?.services) ? rule.services : []) {
          const name = typeof svc?.name === 'string' ? svc.name : '';
          const ai =
            svc?.kind === 'AIService'
              ? aiServices.find((a) => a.id.name === name)
              : name.endsWith('@ai-gateway-service')
                ? aiServices.find((a) => `${a.id.namespace}-${a.id.name}@ai-gateway-service` === name)
                : undefined;
          if (ai || name.endsWith('@ai-gateway-service') || svc?.kind === 'AIService') {
            api.flavour ??= { kind: 'ai', resource: ai ? `AIService ${ai.id.namespace}/${ai.id.name}` : `${route.id.kind} ${route.id.name}`, detail: ai ? describeAiService(ai) : undefined };
          }
        }
        for (const mw of Array.isArray(rule?.middlewares) ? rule.middlewares : []) {
          const m = middlewares.find((x) => x.id.name === mw?.name);
          if (m && (m.spec.mcp !== undefined || m.spec.plugin?.mcp !== undefined)) api.flavour ??= { kind: 'mcp', resource: `Middleware ${m.id.namespace}/${m.id.name}` };
        }
      }
    }
    if (api.flavour) quietMissingSpec(api, diagnostics);
  }
}

/** An AI or MCP API often has no OpenAPI document, and needs none: the loader's warning becomes information. */
function quietMissingSpec(api: CatalogApi, diagnostics: Diagnostic[]): void {
  const message = `${api.id.kind} ${api.id.name} has no openApiSpec, so the portal can show no operations for it`;
  for (const [i, d] of diagnostics.entries()) {
    if (d.rule !== 'openapi' || d.message !== message || d.file !== api.source.file) continue;
    diagnostics[i] = {
      ...d,
      severity: 'info',
      message: `${api.id.kind} ${api.id.name} has no openApiSpec; as ${api.flavour!.kind === 'ai' ? 'an AI gateway API' : 'an MCP server'} it is documented without operations`,
    };
  }
}

/** AIServices are LLM backends, not APIs: reported as info, so nobody wonders why they are not in the catalog. */
export function reportAiServices(resources: Resource[], diagnostics: Diagnostic[]): void {
  for (const r of ofKind(resources, HUB, 'AIService')) {
    diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['kind'],
        'info',
        'resource',
        `AIService ${r.id.namespace}/${r.id.name} (${describeAiService(r)}) is a backend for the AI gateway, not an API: the API whose route sends calls to it is shown as an AI API`,
      ),
    );
  }
}

/**
 * Tyk's APIDescription is the developer-portal text of the classic APIs its `policyRef` grants: its
 * `long_description` (Markdown) and `docs.documentation` (a link or the documentation itself) become
 * the description of each such API that has none of its own.
 */
export function applyApiDescriptions(apis: CatalogApi[], resources: Resource[], diagnostics: Diagnostic[]): void {
  const policies = ofKind(resources, TYK, 'SecurityPolicy');
  for (const r of ofKind(resources, TYK, 'APIDescription')) {
    const ref = r.spec.policyRef;
    if (!ref || typeof ref.name !== 'string') continue;
    const ns = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : r.id.namespace;
    const policy = policies.find((p) => p.id.name === ref.name && p.id.namespace === ns);
    if (!policy) {
      diagnostics.push(
        diagnosticAt(r.file, r.doc, ['spec', 'policyRef', 'name'], 'error', 'reference', `APIDescription ${r.id.name} refers to SecurityPolicy ${ns}/${ref.name}, which is not in the repository`),
      );
      continue;
    }
    const text = descriptionOf(r);
    if (!text) continue;
    for (const right of Array.isArray(policy.spec.access_rights_array) ? policy.spec.access_rights_array : []) {
      if (typeof right?.name !== 'string') continue;
      const key = `${typeof right.namespace === 'string' && right.namespace ? right.namespace : policy.id.namespace}/${right.name}`;
      const api = apis.find((a) => a.key === key && a.gateway.gateway === 'tyk');
      if (api && !api.description) api.description = text;
    }
  }
}

function descriptionOf(r: Resource): string | undefined {
  const parts: string[] = [];
  if (typeof r.spec.long_description === 'string' && r.spec.long_description.trim()) parts.push(r.spec.long_description.trim());
  // Only a link: with doc_type swagger the field holds the whole document, base64-encoded.
  const doc = r.spec.docs?.documentation ?? r.spec.documentation;
  if (typeof doc === 'string' && /^https?:\/\/\S+$/.test(doc.trim())) parts.push(`Documentation: <${doc.trim()}>`);
  return parts.length ? parts.join('\n\n') : undefined;
}
