import { parse as parseYaml, stringify } from 'yaml';
import type { GatewayTarget } from './target.ts';
import type { Grant, GrantSubscription, RenderedFiles } from './types.ts';

/** Weight of every subscription Portico writes: explicit, so Traefik Hub never has to guess between overlaps. */
export const SUBSCRIPTION_WEIGHT = 100;

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'portico' };

/** The bare name of a `namespace/name` catalog key (references in CRDs are names within one namespace). */
function nameOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

function yamlDocument(value: unknown): string {
  return stringify(value, { lineWidth: 0, sortMapEntries: false });
}

/**
 * Subscriptions of one application grouped by plan and operation filter: one ManagedSubscription
 * each. Merging two filters would widen one subscription to the other's operations, so only
 * identical filters share a manifest.
 */
function groupSubscriptions(subscriptions: GrantSubscription[]): Array<{ plan: string; operationFilter: string[]; apis: string[]; bundles: string[]; ids: string[] }> {
  const groups = new Map<string, { plan: string; operationFilter: string[]; apis: Set<string>; bundles: Set<string>; ids: string[] }>();
  for (const s of subscriptions) {
    const filter = [...new Set(s.operationFilter)].sort();
    const key = `${s.plan}\u0000${filter.join(',')}`;
    const group = groups.get(key) ?? { plan: s.plan, operationFilter: filter, apis: new Set<string>(), bundles: new Set<string>(), ids: [] };
    s.apis.forEach((a) => group.apis.add(nameOf(a)));
    s.bundles.forEach((b) => group.bundles.add(nameOf(b)));
    group.ids.push(s.id);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({ plan: g.plan, operationFilter: g.operationFilter, apis: [...g.apis].sort(), bundles: [...g.bundles].sort(), ids: g.ids.sort() }))
    .sort((a, b) => a.plan.localeCompare(b.plan) || a.operationFilter.join(',').localeCompare(b.operationFilter.join(',')));
}

/**
 * Renders the `traefik-hub` target: per application a ManagedApplication whose keys reference
 * encrypted Secrets, the Secrets themselves (already encrypted when the key was shown), and a
 * ManagedSubscription per plan; plus a kustomization listing every file, for Flux or Argo CD.
 * Pure and deterministic: the same grants give byte-identical files.
 */
export function renderTraefikHub(grants: Grant[]): RenderedFiles {
  const files: RenderedFiles = new Map();
  for (const grant of [...grants].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.applicationId.localeCompare(b.applicationId))) {
    const dir = `traefik-hub/${grant.namespace}/${grant.applicationId}`;
    // Traefik Hub verifies the key itself, so only keys with an encrypted Secret can be granted here.
    const keys = grant.keys.filter((k) => k.encryptedSecret).sort((a, b) => a.keyId.localeCompare(b.keyId));
    files.set(
      `${dir}/application.yaml`,
      yamlDocument({
        apiVersion: 'hub.traefik.io/v1alpha1',
        kind: 'ManagedApplication',
        metadata: { name: grant.applicationId, namespace: grant.namespace, labels: { ...MANAGED_BY, 'portico.dev/owner': grant.ownerId } },
        spec: {
          appId: grant.applicationId,
          owner: grant.ownerId,
          notes: grant.applicationName,
          ...(keys.length ? { apiKeys: keys.map((k) => ({ title: `${k.title} (${k.keyId})`, secretName: k.encryptedSecret!.name, ...(k.suspended ? { suspended: true } : {}) })) } : {}),
        },
      }),
    );
    for (const k of keys) files.set(`${dir}/secret-${k.keyId}.yaml`, k.encryptedSecret!.document.endsWith('\n') ? k.encryptedSecret!.document : `${k.encryptedSecret!.document}\n`);
    groupSubscriptions(grant.subscriptions).forEach((group, i, all) => {
      const suffix = all.filter((g) => g.plan === group.plan).length > 1 ? `-${i + 1}` : '';
      const name = `${grant.applicationId}-${nameOf(group.plan)}${suffix}`;
      files.set(
        `${dir}/subscription-${nameOf(group.plan)}${suffix}.yaml`,
        yamlDocument({
          apiVersion: 'hub.traefik.io/v1alpha1',
          kind: 'ManagedSubscription',
          metadata: { name, namespace: grant.namespace, labels: MANAGED_BY, annotations: { 'portico.dev/subscriptions': group.ids.join(',') } },
          spec: {
            applications: [{ appId: grant.applicationId }],
            ...(group.apis.length ? { apis: group.apis.map((n) => ({ name: n })) } : {}),
            ...(group.bundles.length ? { apiBundles: group.bundles.map((n) => ({ name: n })) } : {}),
            apiPlan: { name: nameOf(group.plan) },
            ...(group.operationFilter.length ? { operationFilter: { include: group.operationFilter } } : {}),
            weight: SUBSCRIPTION_WEIGHT,
          },
        }),
      );
    });
  }
  const resources = [...files.keys()]
    .filter((p) => p.startsWith('traefik-hub/'))
    .map((p) => p.slice('traefik-hub/'.length))
    .sort();
  files.set('traefik-hub/kustomization.yaml', yamlDocument({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }));
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Which subscriptions and keys the traefik-hub files on a branch grant (suspended keys are not
 * granted): the reconciler's view of Git. Read from what the renderer writes (subscription annotations, key titles), so a person's
 * revert or edit of those files shows up here.
 */
export function traefikHubPresence(files: RenderedFiles): { subscriptions: Map<string, string>; keys: Map<string, string> } {
  const subscriptionFiles = new Map<string, string>();
  const keyFiles = new Map<string, string>();
  for (const [file, text] of files) {
    if (!file.startsWith('traefik-hub/')) continue;
    const annotation = /portico\.dev\/subscriptions: (.+)$/m.exec(text)?.[1];
    if (file.includes('/subscription-') && annotation) for (const id of annotation.split(',')) subscriptionFiles.set(id.trim(), file);
    if (file.endsWith('/application.yaml')) for (const keyId of grantedKeyIds(text)) keyFiles.set(keyId, file);
  }
  return { subscriptions: subscriptionFiles, keys: keyFiles };
}

/**
 * The key ids a ManagedApplication grants, from the titles the renderer writes (`title (keyId)`).
 * A suspended key is in the file but not granted; a file a person broke grants nothing (Flux could
 * not apply it either).
 */
function grantedKeyIds(text: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return [];
  }
  const keys = (doc as { spec?: { apiKeys?: unknown } } | null)?.spec?.apiKeys;
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((k: { title?: unknown; suspended?: unknown }) => {
    const id = typeof k?.title === 'string' ? /\(([0-9A-Za-z]{8})\)$/.exec(k.title)?.[1] : undefined;
    return id && k.suspended !== true ? [id] : [];
  });
}

/** The `traefik-hub` gateway target: the key itself in an encrypted Secret; plans are Traefik Hub's own APIPlans. */
export const traefikHubTarget: GatewayTarget = {
  name: 'traefik-hub',
  credential: 'key',
  keySecret: { field: 'token' },
  settings: [],
  namesSubscriptions: true,
  render: (grants) => renderTraefikHub(grants),
  applicationFolder: (namespace, applicationId) => `traefik-hub/${namespace}/${applicationId}`,
  presence: (files) => traefikHubPresence(files),
};
