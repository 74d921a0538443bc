// What the account and admin pages say about a subscription's or key's status. Shared by the
// server-rendered pages and the browser script that refreshes statuses, so both say the same words.
// Plain TypeScript: no Astro, no DOM.

/** A date as the API sends it (ISO string), or as the services return it (Date). */
export type When = Date | string | null | undefined;

/** Where a subscription or key stands, as in the access API (docs: the access API contract). */
export interface StatusFields {
  status: string;
  statusReason?: string | null;
  commit?: string | null;
  commitUrl?: string | null;
}

export interface SubscriptionView extends StatusFields {
  id: string;
  offer: string;
  offerTitle?: string | null;
  plan: string;
  apis?: string[];
  bundles?: string[];
  requestId?: string | null;
  createdAt: When;
  endedAt?: When;
}

export interface KeyView extends StatusFields {
  keyId: string;
  title: string;
  createdAt: When;
  expiresAt?: When;
  replaces?: string | null;
  retireAt?: When;
}

export interface ApplicationView {
  id: string;
  name: string;
  description?: string | null;
  namespace?: string;
  createdAt: When;
  subscriptions?: SubscriptionView[];
  keys?: KeyView[];
}

/** Statuses that change on their own as the Git writer and the reconciler work: worth watching. */
export const MOVING_STATUSES = ['committing', 'committed', 'revoking'];

/** Statuses after which nothing more can be done with a subscription or key. */
export const ENDED_STATUSES = ['revoked', 'rejected', 'expired'];

const WORDS: Record<string, string> = {
  'pending-approval': 'pending approval',
  committing: 'committing to Git',
  committed: 'committed',
  active: 'active',
  revoking: 'revoking',
  revoked: 'revoked',
  rejected: 'rejected',
  suspended: 'suspended',
  expired: 'expired',
};

/** The words for a status; an unknown one (a newer portal) is shown as it is. */
export function statusToWords(status: string): string {
  return WORDS[status] ?? status.replaceAll('-', ' ');
}

/** Does anything on this application still move on its own (so the page should watch it)? */
export function isSettling(app: Pick<ApplicationView, 'subscriptions' | 'keys'>): boolean {
  return [...(app.subscriptions ?? []), ...(app.keys ?? [])].some((item) => MOVING_STATUSES.includes(item.status));
}

/** An offer's title, with its catalog key when the title alone does not say it (`Growth (logistics/growth-plan)`). */
export function offerLabel(key: string, title: string | null | undefined): { title: string; key?: string } {
  if (!title || title === key) return { title: key };
  return key.endsWith(`/${title}`) ? { title } : { title, key };
}

/** The first 7 characters of a commit, as Git shows it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** A moment in UTC, minutes precision: the same on the server and in every browser. */
export function formatTime(when: When): string {
  if (!when) return '';
  const date = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(date.getTime())) return String(when);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A day in UTC (created and expiry dates in lists). */
export function formatDay(when: When): string {
  if (!when) return '';
  const date = when instanceof Date ? when : new Date(when);
  return Number.isNaN(date.getTime()) ? String(when) : date.toISOString().slice(0, 10);
}

/** Everything the status cell shows, in the order it shows it. */
export interface StatusDescription {
  status: string;
  words: string;
  /** Short sha of the commit, when there is one. */
  commit?: string;
  /** Link to the commit on its Git host, when the portal knows one. */
  commitUrl?: string;
  /** Why, in words: who removed it from Git, who rejected it, when it retires. */
  notes: string[];
}

/** The status of a subscription or key, in words, with its commit and its reasons. */
export function describeStatus(item: StatusFields & { retireAt?: When; expiresAt?: When }): StatusDescription {
  const notes: string[] = [];
  if (item.statusReason) notes.push(item.statusReason);
  if (item.retireAt && !ENDED_STATUSES.includes(item.status)) notes.push(`retires at ${formatTime(item.retireAt)}`);
  return {
    status: item.status,
    words: statusToWords(item.status),
    ...(item.commit ? { commit: shortSha(item.commit) } : {}),
    // Only web links: a commit URL is built from the portal's settings, never from a person's input, but a page links nothing else.
    ...(item.commit && item.commitUrl && /^https?:\/\//.test(item.commitUrl) ? { commitUrl: item.commitUrl } : {}),
    notes,
  };
}

/** What a consumer can still do with a subscription: change its plan, end it (or withdraw the request). */
export function subscriptionActions(item: StatusFields): Array<'change' | 'unsubscribe'> {
  if (item.status === 'pending-approval') return ['unsubscribe'];
  return ['committing', 'committed', 'active'].includes(item.status) ? ['change', 'unsubscribe'] : [];
}

/** What a consumer can still do with a key: rotate it (once: a retiring key is already rotated), revoke it. */
export function keyActions(item: StatusFields & { retireAt?: When }): Array<'rotate' | 'revoke'> {
  if (item.status === 'suspended') return ['revoke'];
  if (!['committing', 'committed', 'active'].includes(item.status)) return [];
  return item.retireAt ? ['revoke'] : ['rotate', 'revoke'];
}

/** One line per status, to compare two versions of an application cheaply. */
export function statusFingerprint(app: Pick<ApplicationView, 'subscriptions' | 'keys'>): string {
  const line = (id: string, item: StatusFields & { retireAt?: When }) => `${id} ${item.status} ${item.commit ?? ''} ${item.commitUrl ?? ''} ${item.statusReason ?? ''} ${formatTime(item.retireAt)}`;
  return [...(app.subscriptions ?? []).map((s) => line(`sub:${s.id}`, s)), ...(app.keys ?? []).map((k) => line(`key:${k.keyId}`, k))].join('\n');
}

/** The overlaps a consumer can choose when rotating a key, in seconds; one day is the default. */
export const ROTATION_OVERLAPS = [
  { seconds: 3600, words: '1 hour' },
  { seconds: 86400, words: '1 day' },
  { seconds: 604800, words: '7 days' },
] as const;

/** The sessionStorage entry where a consumer may keep a key for the Try it console (see the access API contract). */
export function sessionKeyName(applicationId: string): string {
  return `portico.key.${applicationId}`;
}
