import type { ApprovalMode, Catalog, Limit } from '../catalog/model.ts';
import { describeLimit } from '../catalog/summary.ts';
import { isVisibleTo, viewerOf } from '../catalog/visibility.ts';

export interface Offer {
  /** The catalog item's key: what a subscription names. */
  offer: string;
  title: string;
  namespace: string;
  apis: Array<{ key: string; title: string }>;
  bundles: string[];
  plan: { key: string; title: string; limits: string; rateLimit?: Limit; quota?: Limit };
  operationFilter: string[];
  approval: ApprovalMode;
}

/** What a person may subscribe to: self-service catalog items of the portal that they can see. */
export function offersFor(catalog: Catalog, groups: readonly string[]): Offer[] {
  const viewer = viewerOf(catalog, groups);
  return catalog.items
    .filter((i) => i.selfService && i.plan && isVisibleTo(i, viewer))
    .map((i) => {
      const plan = catalog.plans.find((p) => p.key === i.plan)!;
      return {
        offer: i.key,
        title: i.title,
        namespace: i.id.namespace,
        apis: i.apis.map((key) => ({ key, title: catalog.apis.find((a) => a.key === key)?.title ?? key })),
        bundles: i.bundles,
        plan: {
          key: plan.key,
          title: plan.title,
          limits:
            [plan.rateLimit, plan.quota]
              .filter((l): l is Limit => !!l)
              .map(describeLimit)
              .join(', ') || 'no limits',
          rateLimit: plan.rateLimit,
          quota: plan.quota,
        },
        operationFilter: i.operationFilter,
        approval: i.approval,
      };
    });
}

/** Every catalog item's title by key, for naming what a subscription is to. */
export function offerTitles(catalog: Catalog): Map<string, string> {
  return new Map(catalog.items.map((i) => [i.key, i.title]));
}
