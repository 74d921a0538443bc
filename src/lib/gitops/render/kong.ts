import { parse as parseYaml, stringify } from 'yaml';
import type { CatalogKey, Limit } from '../../catalog/model.ts';
import type { GatewayTarget, RenderContext, TargetPresence } from './target.ts';
import type { Grant, KnownGrants, PlanLimits, RenderedFiles } from './types.ts';

/*
 * The `kong` gateway target, for the Kong Ingress Controller (KIC 3.x, `configuration.konghq.com/v1`).
 * Kong's key-auth plugin compares the key itself, so each key goes to Git as an encrypted Secret
 * (SOPS+age or SealedSecret, made when the key was shown), labelled as a key-auth credential:
 *
 *   kong/<namespace>/<application>/consumer.yaml       KongConsumer: username, credentials, plugins
 *   kong/<namespace>/<application>/secret-<key>.yaml   the encrypted Secret of one key (field `key`)
 *   kong/<namespace>/<application>/rate-limit.yaml     KongPlugin, only for an application on several plans
 *   kong/<namespace>/plan-<plan>.yaml                  KongPlugin rate-limiting: one per plan in use
 *   kong/<namespace>/no-subscription.yaml              KongPlugin request-termination (403) for consumers without a plan
 *   kong/kustomization.yaml                            every file, for Flux or Argo CD
 *
 * Kong's rate-limiting plugin counts requests in fixed windows of a second, minute, hour or day
 * (month and year follow the calendar, so no plan period maps to them); a plan with another period,
 * or with fractions, is refused with the reason, and lint warns beforehand. docs/gateways/kong.md
 * shows the output; tests/unit/render-kong.test.ts checks it against Kong's published CRD schemas.
 */

/** Directory (relative to the configured Portico directory) that every Kong file is written to. */
export const KONG_DIR = 'kong';

/** Setting naming the ingress class KIC watches; KongConsumers carry it as `kubernetes.io/ingress.class`. */
export const KONG_INGRESS_CLASS_SETTING = 'PORTICO_KONG_INGRESS_CLASS';

const DEFAULT_INGRESS_CLASS = 'kong';

/** Name of the request-termination plugin every consumer without a subscription carries. */
export const KONG_NO_SUBSCRIPTION_PLUGIN = 'portico-no-subscription';

/** Kong rate-limiting windows (plugin config fields) that have a fixed length, in seconds. */
const WINDOWS: ReadonlyArray<[field: string, seconds: number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86400],
];

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'portico' };
// Kubernetes object names (RFC 1123 subdomain): KongConsumer and KongPlugin names are made of these.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The bare name of a `namespace/name` catalog key. */
function nameOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

function yamlDocument(value: unknown): string {
  return stringify(value, { lineWidth: 0, sortMapEntries: false });
}

// Code-unit order, not localeCompare: the output must not depend on the machine's locale.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Secret name a key's encrypted Secret has (the access service names it so when the key is shown). */
export function kongSecretName(applicationId: string, keyId: string): string {
  return `${applicationId}-key-${keyId.toLowerCase()}`;
}

/**
 * Why Kong's rate-limiting plugin cannot enforce a plan's limit as written, in words, or undefined
 * when it can. The renderer refuses such a grant; lint warns beforehand.
 */
export function kongLimitProblem(limit: Limit, kind: 'rateLimit' | 'quota'): string | undefined {
  const what = kind === 'rateLimit' ? 'rate limit' : 'quota';
  if (!Number.isInteger(limit.requests) || limit.requests <= 0 || !WINDOWS.some(([, s]) => s === limit.periodSeconds)) {
    return `${what} ${limit.requests}/${limit.periodSeconds}s; Kong's rate-limiting plugin needs a whole number of requests per second, minute, hour or day (1, 60, 3600 or 86400 seconds)`;
  }
  return undefined;
}

/** The rate-limiting config (window field -> requests) that enforces every limit of these plans at once. */
function windowsFor(plans: CatalogKey[], limits: PlanLimits, applicationId: string): Map<string, number> {
  const windows = new Map<string, number>();
  for (const plan of plans) {
    const planLimits = limits.get(plan);
    if (!planLimits) throw new Error(`kong: application ${applicationId} subscribes to plan ${plan}, which has no limits entry`);
    for (const kind of ['rateLimit', 'quota'] as const) {
      const limit = planLimits[kind];
      if (!limit) continue;
      const problem = kongLimitProblem(limit, kind);
      if (problem) throw new Error(`kong: plan ${plan} has ${problem}`);
      const field = WINDOWS.find(([, s]) => s === limit.periodSeconds)![0];
      // Every limit must hold, so where two share a window the smaller count is the one enforced.
      windows.set(field, Math.min(windows.get(field) ?? Infinity, limit.requests));
    }
  }
  // Kong refuses a plugin whose longer window allows fewer requests than a shorter one (its schema's
  // validate_periods_order). Windows are aligned, so a minute lies within one day: a day of 500
  // already caps every minute at 500, and writing that changes nothing Kong enforces.
  let cap = Infinity;
  for (const [field] of [...WINDOWS].reverse()) {
    const count = windows.get(field);
    if (count === undefined) continue;
    cap = Math.min(cap, count);
    windows.set(field, cap);
  }
  return windows;
}

/** A KongPlugin document running rate-limiting per consumer with these windows, in Kong's order. */
function rateLimitPlugin(name: string, namespace: string, windows: Map<string, number>, plans: string[]): string {
  const config: Record<string, unknown> = {};
  for (const [field] of WINDOWS) if (windows.has(field)) config[field] = windows.get(field);
  return yamlDocument({
    apiVersion: 'configuration.konghq.com/v1',
    kind: 'KongPlugin',
    metadata: { name, namespace, labels: MANAGED_BY, annotations: { 'portico.dev/plans': plans.join(',') } },
    plugin: 'rate-limiting',
    // Counted per consumer (the application), in each Kong node's memory: `local` needs no database or Redis.
    config: { ...config, limit_by: 'consumer', policy: 'local' },
  });
}

/**
 * Renders the `kong` target: per application a KongConsumer whose credentials are the encrypted
 * key Secrets, with the rate-limiting plugin of its plan (or a 403 when it has no subscription);
 * one KongPlugin per plan in use; and a kustomization listing every file. Pure and deterministic.
 * Throws, in words, on a grant Kong cannot express: a plan period Kong has no window for, an
 * operation filter (key-auth admits a consumer to a whole route).
 */
export function renderKong(grants: Grant[], context: Pick<RenderContext, 'limits'> & { settings?: RenderContext['settings'] }): RenderedFiles {
  const ingressClass = context.settings?.[KONG_INGRESS_CLASS_SETTING] ?? DEFAULT_INGRESS_CLASS;
  const files: RenderedFiles = new Map();
  const planPlugins = new Map<string, { namespace: string; plan: string; windows: Map<string, number> }>();
  const unsubscribed = new Set<string>();
  const seen = new Set<string>();

  for (const grant of [...grants].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.applicationId, b.applicationId))) {
    const id = grant.applicationId;
    if (!DNS_SUBDOMAIN.test(id) || id.length > 253) throw new Error(`kong: application id ${JSON.stringify(id)} is not a Kubernetes name (lower-case letters, digits, '-' and '.')`);
    if (seen.has(`${grant.namespace}/${id}`)) throw new Error(`kong: application ${id} appears in two grants; merge them first`);
    seen.add(`${grant.namespace}/${id}`);
    const filtered = grant.subscriptions.find((s) => s.operationFilter.length > 0);
    if (filtered) {
      throw new Error(`kong: subscription ${filtered.id} is limited to the operation sets ${filtered.operationFilter.join(', ')}; Kong's key-auth admits a consumer to every operation of a route`);
    }
    const dir = `${KONG_DIR}/${grant.namespace}/${id}`;

    const plans = [...new Set(grant.subscriptions.map((s) => s.plan))].sort(compareStrings);
    const limited = plans.map((plan) => ({ plan, windows: windowsFor([plan], context.limits, id) })).filter((p) => p.windows.size > 0);
    const plugins: string[] = [];
    if (plans.length === 0) {
      plugins.push(KONG_NO_SUBSCRIPTION_PLUGIN);
      unsubscribed.add(grant.namespace);
    } else if (limited.length === 1) {
      const name = `portico-plan-${nameOf(limited[0]!.plan)}`;
      const clash = planPlugins.get(`${grant.namespace}/${name}`);
      if (clash && clash.plan !== limited[0]!.plan) throw new Error(`kong: plans ${clash.plan} and ${limited[0]!.plan} would share the KongPlugin ${grant.namespace}/${name}`);
      planPlugins.set(`${grant.namespace}/${name}`, { namespace: grant.namespace, plan: limited[0]!.plan, windows: limited[0]!.windows });
      plugins.push(name);
    } else if (limited.length > 1) {
      // Kong runs one rate-limiting plugin per consumer: an application on several plans gets one
      // whose every window holds the smallest count any of its plans allows there.
      const name = `${id}-rate-limit`;
      files.set(
        `${dir}/rate-limit.yaml`,
        rateLimitPlugin(
          name,
          grant.namespace,
          windowsFor(plans, context.limits, id),
          limited.map((p) => p.plan),
        ),
      );
      plugins.push(name);
    }

    // Kong compares the key itself: only keys with an encrypted Secret can be granted, and a suspended one is left out.
    const keys = grant.keys.filter((k) => k.encryptedSecret && !k.suspended).sort((a, b) => compareStrings(a.keyId, b.keyId));
    for (const k of keys) {
      const document = k.encryptedSecret!.document;
      files.set(`${dir}/secret-${k.keyId}.yaml`, document.endsWith('\n') ? document : `${document}\n`);
    }
    const subscriptionIds = grant.subscriptions.map((s) => s.id).sort(compareStrings);
    files.set(
      `${dir}/consumer.yaml`,
      yamlDocument({
        apiVersion: 'configuration.konghq.com/v1',
        kind: 'KongConsumer',
        metadata: {
          name: id,
          namespace: grant.namespace,
          labels: { ...MANAGED_BY, 'portico.dev/owner': grant.ownerId },
          annotations: {
            'kubernetes.io/ingress.class': ingressClass,
            ...(plugins.length ? { 'konghq.com/plugins': plugins.join(',') } : {}),
            ...(subscriptionIds.length ? { 'portico.dev/subscriptions': subscriptionIds.join(',') } : {}),
          },
        },
        username: id,
        ...(keys.length ? { credentials: keys.map((k) => k.encryptedSecret!.name) } : {}),
      }),
    );
  }

  for (const [key, p] of planPlugins) files.set(`${KONG_DIR}/${p.namespace}/plan-${nameOf(p.plan)}.yaml`, rateLimitPlugin(nameOf(key), p.namespace, p.windows, [p.plan]));
  for (const namespace of unsubscribed) {
    files.set(
      `${KONG_DIR}/${namespace}/no-subscription.yaml`,
      yamlDocument({
        apiVersion: 'configuration.konghq.com/v1',
        kind: 'KongPlugin',
        metadata: { name: KONG_NO_SUBSCRIPTION_PLUGIN, namespace, labels: MANAGED_BY },
        plugin: 'request-termination',
        config: { status_code: 403, message: 'This key is valid, but its application has no subscription. Subscribe it to a plan in the portal.' },
      }),
    );
  }
  const resources = [...files.keys()].map((p) => p.slice(KONG_DIR.length + 1)).sort(compareStrings);
  files.set(`${KONG_DIR}/kustomization.yaml`, yamlDocument({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * Which subscriptions and keys the kong files on a branch grant: subscriptions by the consumer's
 * `portico.dev/subscriptions` annotation, keys by the Secret names in its `credentials` (matched
 * against the keys the reconcile pass read), so a person's edit of either shows up here. A file a
 * person broke grants nothing (Flux could not apply it either).
 */
export function kongPresence(files: RenderedFiles, known: KnownGrants): TargetPresence {
  const present: TargetPresence = { subscriptions: new Map(), keys: new Map() };
  const bySecret = new Map(known.keys.map((k) => [`${k.applicationId}/${kongSecretName(k.applicationId, k.keyId)}`, k.keyId]));
  for (const [file, text] of files) {
    if (!file.startsWith(`${KONG_DIR}/`) || !file.endsWith('/consumer.yaml')) continue;
    let doc: { metadata?: { name?: unknown; annotations?: Record<string, unknown> }; credentials?: unknown } | null;
    try {
      doc = parseYaml(text);
    } catch {
      continue;
    }
    const annotation = doc?.metadata?.annotations?.['portico.dev/subscriptions'];
    if (typeof annotation === 'string') for (const id of annotation.split(',')) if (id.trim()) present.subscriptions.set(id.trim(), file);
    const applicationId = doc?.metadata?.name;
    if (typeof applicationId !== 'string' || !Array.isArray(doc?.credentials)) continue;
    for (const name of doc.credentials) {
      const keyId = bySecret.get(`${applicationId}/${String(name)}`);
      if (keyId) present.keys.set(keyId, file);
    }
  }
  return present;
}

/** The `kong` gateway target: the key itself in an encrypted key-auth Secret; rate limits per plan. */
export const kongTarget: GatewayTarget = {
  name: KONG_DIR,
  credential: 'key',
  // KIC 3.x finds credentials by the `konghq.com/credential` label; Kong Operator also wants `konghq.com/secret`.
  keySecret: { field: 'key', labels: { 'konghq.com/credential': 'key-auth', 'konghq.com/secret': 'true' } },
  settings: [KONG_INGRESS_CLASS_SETTING],
  namesSubscriptions: true,
  render: (grants, context) => renderKong(grants, context),
  applicationFolder: (namespace, applicationId) => `${KONG_DIR}/${namespace}/${applicationId}`,
  presence: kongPresence,
  limitProblem: kongLimitProblem,
  limitHint: 'use a period of one second, minute, hour or day and a whole number of requests, or leave kong out of PORTICO_GATEWAYS',
};
