import { parseGoDuration } from './go-duration.ts';
import { HUB, type KindIndex, keyOf, ofKind, TYK } from './kind-index.ts';
import type { CatalogPlan, Limit } from './model.ts';
import { sourceOf } from './resources.ts';

function hubLimit(value: any, defaultPeriod: number): Limit | undefined {
  if (!value || typeof value !== 'object' || typeof value.limit !== 'number') return undefined;
  return {
    requests: value.limit,
    periodSeconds: parseGoDuration(value.period) ?? defaultPeriod,
    ...(value.bucket ? { bucket: value.bucket } : {}),
  };
}

/** Plans from Traefik Hub APIPlans: `rateLimit`, `quota`, `bucket`. */
export function readHubPlans(index: KindIndex): CatalogPlan[] {
  return ofKind(index, HUB, 'APIPlan').map((r) => ({
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof r.spec.title === 'string' ? r.spec.title : r.id.name,
    description: typeof r.spec.description === 'string' ? r.spec.description : undefined,
    // Traefik Hub's defaults: rate limit per second, quota per month (30 days).
    rateLimit: hubLimit(r.spec.rateLimit, 1),
    quota: hubLimit(r.spec.quota, 30 * 24 * 3600),
    source: sourceOf(r),
  }));
}

/** Plans from Tyk SecurityPolicies: `rate`/`per`, `quota_max`/`quota_renewal_rate`. */
export function readTykPlans(index: KindIndex): CatalogPlan[] {
  return ofKind(index, TYK, 'SecurityPolicy').map((r) => {
    const s = r.spec;
    const rate = typeof s.rate === 'number' && s.rate > 0 && typeof s.per === 'number' && s.per > 0 ? { requests: s.rate, periodSeconds: s.per } : undefined;
    // Tyk: quota_max -1 means unlimited; quota_renewal_rate is the period in seconds.
    const quota =
      typeof s.quota_max === 'number' && s.quota_max > 0 && typeof s.quota_renewal_rate === 'number' && s.quota_renewal_rate > 0
        ? { requests: s.quota_max, periodSeconds: s.quota_renewal_rate }
        : undefined;
    return {
      key: keyOf(r.id.namespace, r.id.name),
      id: r.id,
      title: typeof s.name === 'string' ? s.name : r.id.name,
      description: r.annotations['portico.dev/description'],
      rateLimit: rate,
      quota,
      source: sourceOf(r),
    };
  });
}
