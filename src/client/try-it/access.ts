// What the browser knows about the person's access to one API: whether they are signed in, which
// of their applications are subscribed to it (and on which plan), and which keys this browser
// session holds. Shared by the Try it panel and the Scalar and Swagger UI pages.
import { ENDED_STATUSES, sessionKeyName, statusToWords, type ApplicationView, type SubscriptionView } from '../../components/access/status.ts';

/** One offer of GET /api/v1/catalog, as far as Try it needs it. */
export interface CatalogOffer {
  offer: string;
  title: string;
  apis: Array<{ key: string; title: string }>;
  plan: { key: string; title: string; limits: string };
  /** Operation sets the offer is limited to; empty for every operation. */
  operationFilter: string[];
}

/** The operation the panel is for: its API, and the operation sets it belongs to. */
export interface OperationRef {
  api: string;
  operationSets: string[];
}

/** Does an offer's plan cover the operation? Only through an operation set, when the offer filters them. */
export function offerCovers(offer: Pick<CatalogOffer, 'apis' | 'operationFilter'>, operation: OperationRef): boolean {
  return offer.apis.some((a) => a.key === operation.api) && (offer.operationFilter.length === 0 || offer.operationFilter.some((set) => operation.operationSets.includes(set)));
}

/** An application subscribed to the API, with the subscription that covers it. */
export interface SubscribedApplication {
  id: string;
  name: string;
  subscription: SubscriptionView;
  /** The plan's title and limits in words, when the catalog still offers it. */
  plan?: { title: string; limits: string };
  /** Why the gateway may refuse its key here (a subscription not active yet, a plan without this operation), else undefined. */
  caveat?: string;
}

export type Access =
  | { signedIn: false }
  | { signedIn: true; applications: SubscribedApplication[]; hasApplications: boolean /** Offers that cover the operation. */; offers: CatalogOffer[] }
  | { signedIn: true; error: string };

/** A key kept by the account page for this browser session (the access API contract). */
export interface StoredKey {
  keyId: string;
  key: string;
}

/** The key this browser session holds for an application, if the consumer chose to keep one. */
export function storedKey(applicationId: string): StoredKey | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(sessionKeyName(applicationId)) ?? 'null') as Partial<StoredKey> | null;
    return value && typeof value.key === 'string' && value.key ? { keyId: String(value.keyId ?? ''), key: value.key } : undefined;
  } catch {
    return undefined; // storage switched off, or an entry this page did not write
  }
}

/**
 * Is someone signed in? The header's account menu (a server island) says so once it has loaded;
 * asking it, rather than the API, spares visitors a 401 in their browser console. If the menu never
 * arrives, the API answers instead.
 */
export function signedInFromHeader(timeoutMs = 5000): Promise<boolean | undefined> {
  const read = () => {
    const menu = document.querySelector('.account-menu');
    return menu ? menu.querySelector('[data-account-email]') !== null : undefined;
  };
  const now = read();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const known = read();
      if (known === undefined) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(known);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve(undefined);
    }, timeoutMs);
    observer.observe(document.body, { childList: true, subtree: true });
  });
}

async function getJson<T>(url: string): Promise<{ status: number; json?: T; detail?: string }> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) return { status: res.status, detail: (json as { detail?: string } | undefined)?.detail ?? `the portal answered ${res.status}` };
  return { status: res.status, json: json as T };
}

/**
 * The signed-in person's applications subscribed to the operation's API, and the offers that cover
 * the operation. Subscriptions that ended (or are ending) do not count: the gateway no longer
 * accepts their keys.
 */
export async function loadAccess(operation: OperationRef): Promise<Access> {
  const { api } = operation;
  const known = await signedInFromHeader();
  if (known === false) return { signedIn: false };
  const [list, catalog] = await Promise.all([getJson<{ applications: ApplicationView[] }>('/api/v1/applications'), known ? getJson<{ offers: CatalogOffer[] }>('/api/v1/catalog') : undefined]);
  if (list.status === 401) return { signedIn: false };
  if (!list.json) return { signedIn: true, error: `Your applications could not be read: ${list.detail}` };
  const offers = catalog?.json?.offers ?? (await getJson<{ offers: CatalogOffer[] }>('/api/v1/catalog')).json?.offers ?? [];
  // The list may come without subscriptions (an older portal): read each application then.
  const apps = await Promise.all(
    list.json.applications.map(async (app) =>
      app.subscriptions ? app : ((await getJson<{ application: ApplicationView }>(`/api/v1/applications/${encodeURIComponent(app.id)}`)).json?.application ?? app),
    ),
  );
  const apisOf = (sub: SubscriptionView) => sub.apis ?? offers.find((o) => o.offer === sub.offer)?.apis.map((a) => a.key) ?? [];
  const subscribed: SubscribedApplication[] = [];
  for (const app of apps) {
    const live = (app.subscriptions ?? []).filter((s) => !ENDED_STATUSES.includes(s.status) && s.status !== 'revoking' && apisOf(s).includes(api));
    // An active subscription first: it is the one the gateway enforces now.
    const sub = live.find((s) => s.status === 'active') ?? live[0];
    if (!sub) continue;
    const offer = offers.find((o) => o.offer === sub.offer);
    const caveat =
      sub.status !== 'active'
        ? `its subscription is ${statusToWords(sub.status)}: the gateway may not accept its key yet`
        : offer && !offerCovers(offer, operation)
          ? `its plan ${offer.plan.title} does not include this operation: the gateway will refuse it`
          : undefined;
    subscribed.push({ id: app.id, name: app.name, subscription: sub, ...(offer ? { plan: { title: offer.plan.title, limits: offer.plan.limits } } : {}), ...(caveat ? { caveat } : {}) });
  }
  return { signedIn: true, applications: subscribed, hasApplications: apps.length > 0, offers: offers.filter((o) => offerCovers(o, operation)) };
}

/** The first key this browser holds for an application subscribed to `api` (the full-document consoles use it). */
export async function keyForApi(api: string): Promise<(StoredKey & { application: string }) | undefined> {
  let access: Access;
  try {
    access = await loadAccess({ api, operationSets: [] });
  } catch {
    return undefined;
  }
  if (!access.signedIn || 'error' in access) return undefined;
  for (const app of access.applications) {
    const key = storedKey(app.id);
    if (key) return { ...key, application: app.name };
  }
  return undefined;
}
