// "Get access": the way from a docs page to a subscription. A static page links to
// /account/get-access/ with what the reader was looking at (an API, a plan, an offer); that route
// sends a signed-out reader to sign up and back, and shows a signed-in one the matching offers.
import { hrefOfOperation, type DocsSite } from '../docs/site.ts';
import type { Offer } from './offers.ts';

/** What a "Get access" link carries; every part is optional and narrows the offers shown. */
export interface AccessTarget {
  /** An API's key, such as `logistics/shipments`. */
  api?: string;
  /** A plan's key, such as `logistics/starter`: the offer on this plan is preselected. */
  plan?: string;
  /** A catalog item's key, such as `logistics/public-starter`. */
  offer?: string;
}

export const GET_ACCESS_PATH = '/account/get-access/';

/** The address of the "Get access" step for a target, as a static page links to it. */
export function getAccessHref(target: AccessTarget): string {
  const query = new URLSearchParams();
  for (const name of ['api', 'plan', 'offer'] as const) if (target[name]) query.set(name, target[name]!);
  const search = query.toString();
  return search ? `${GET_ACCESS_PATH}?${search}` : GET_ACCESS_PATH;
}

/** Reads a target from the query of /account/get-access/; values that cannot be keys are dropped. */
export function accessTargetOf(params: URLSearchParams): AccessTarget {
  const target: AccessTarget = {};
  for (const name of ['api', 'plan', 'offer'] as const) {
    const value = params.get(name);
    // Keys are namespace/name; anything longer or stranger is not one of ours.
    if (value && value.length <= 300 && /^[\w.-]+(\/[\w.-]+)?$/.test(value)) target[name] = value;
  }
  return target;
}

/** The offers a target leads to, and the one to preselect. */
export interface AccessChoice {
  offers: Offer[];
  preselected?: Offer;
}

/**
 * The offers a person may take that match the target: those with its API (and its offer, when
 * named). The plan does not filter: it preselects the offer on that plan, so a reader who came from
 * the Growth plan still sees Starter beside it. One offer alone is preselected too.
 */
export function chooseOffers(offers: Offer[], target: AccessTarget): AccessChoice {
  const matching = offers.filter((o) => (!target.api || o.apis.some((a) => a.key === target.api)) && (!target.offer || o.offer === target.offer));
  const preselected =
    matching.find((o) => o.offer === target.offer && (!target.plan || o.plan.key === target.plan)) ??
    matching.find((o) => target.plan !== undefined && o.plan.key === target.plan) ??
    (matching.length === 1 ? matching[0] : undefined);
  return { offers: matching, preselected };
}

/**
 * Where a new key is tried on an API: the Try it panel of its first GET operation that the plan
 * covers, preferring one without path parameters (nothing to type before Send), in the newest
 * version; the version's full console when there is no such operation.
 */
export function tryItHref(site: Pick<DocsSite, 'apis'>, apiKey: string, operationFilter: string[]): string | undefined {
  const api = site.apis.find((a) => a.api.key === apiKey);
  const version = api?.versions[0];
  if (!api || !version) return undefined;
  const covered = version.operations.filter((op) => op.method === 'get' && (operationFilter.length === 0 || operationFilter.some((set) => op.operationSets.includes(set))));
  const op = covered.find((o) => !o.parameters.some((p) => p.in === 'path')) ?? covered[0];
  return op ? `${hrefOfOperation(api, version, op)}#try-it` : `${version.href}try/`;
}
