// The admin area's lists: accounts, access requests, subscriptions and keys, each filtered by one
// search text on the server (so it works without JavaScript) and cut into pages of a stable order
// (a large portal has thousands of keys). Reading only: every action goes through the admin API.
import { and, asc, desc, eq, ilike, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { accounts, apiKeys, applications, outbox, subscriptions } from '../../../db/schema.ts';
import type { AccountView } from '../auth/accounts.ts';
import type { Database } from '../db/client.ts';

/** Rows on one page of an admin list. */
export const PAGE_SIZE = 50;
/** The longest search text a list takes. */
export const MAX_QUERY_LENGTH = 200;

/** What a list page was asked for, read from `?q=` and `?page=`, with a message for what could not be used. */
export interface ListQuery {
  q: string;
  page: number;
  problems: string[];
}

/** Reads `?q=` and `?page=`. Bad input is not an error page: it is said, and the nearest sensible list is shown. */
export function readListQuery(params: URLSearchParams): ListQuery {
  const problems: string[] = [];
  let q = (params.get('q') ?? '').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    problems.push(`The search text is at most ${MAX_QUERY_LENGTH} characters; only the first ${MAX_QUERY_LENGTH} were used.`);
    q = q.slice(0, MAX_QUERY_LENGTH);
  }
  const rawPage = params.get('page');
  let page = 1;
  if (rawPage !== null && rawPage !== '') {
    if (/^[1-9][0-9]{0,6}$/.test(rawPage)) page = Number(rawPage);
    else problems.push(`"${rawPage.slice(0, 20)}" is not a page number (1, 2, 3…); the first page is shown.`);
  }
  return { q, page, problems };
}

/** One page of a list, and where it stands among the others. */
export interface ListPage<T> {
  rows: T[];
  total: number;
  page: number;
  pages: number;
}

/** The page asked for, moved to the last one when the list is shorter than that. */
function clampPage(page: number, total: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const p = Math.min(Math.max(1, page), pages);
  return { page: p, pages, offset: (p - 1) * PAGE_SIZE };
}

/** `q` as an ILIKE pattern matching it anywhere, with the pattern's own characters taken literally. */
function contains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Accounts whose email, groups or id contain the text, by email. Admin rights and groups as the account service computes them. */
export function accountsPage(all: AccountView[], query: ListQuery): ListPage<AccountView> {
  const needle = query.q.toLowerCase();
  const matching = needle ? all.filter((a) => [a.email, a.id, a.displayName ?? '', ...a.groups, ...a.assignedGroups].some((s) => s.toLowerCase().includes(needle))) : all;
  const sorted = [...matching].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.id < b.id ? -1 : 1));
  const { page, pages, offset } = clampPage(query.page, sorted.length);
  return { rows: sorted.slice(offset, offset + PAGE_SIZE), total: sorted.length, page, pages };
}

export interface AdminSubscriptionRow {
  id: string;
  requestId: string | null;
  applicationId: string;
  applicationName: string;
  applicationDeleted: boolean;
  owner: { id: string; email: string };
  offer: string;
  plan: string;
  apis: string[];
  status: string;
  statusReason: string | null;
  branch: string | null;
  proposedCommit: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

const subscriptionColumns = {
  s: subscriptions,
  app: { id: applications.id, name: applications.name, deletedAt: applications.deletedAt },
  owner: { id: accounts.id, email: accounts.email },
};

function subscriptionRow({
  s,
  app,
  owner,
}: {
  s: typeof subscriptions.$inferSelect;
  app: { id: string; name: string; deletedAt: Date | null };
  owner: { id: string; email: string };
}): AdminSubscriptionRow {
  return {
    id: s.id,
    requestId: s.requestId,
    applicationId: app.id,
    applicationName: app.name,
    applicationDeleted: app.deletedAt !== null,
    owner,
    offer: s.offer,
    plan: s.plan,
    apis: s.apis,
    status: s.status,
    statusReason: s.statusReason,
    branch: s.branch,
    proposedCommit: s.statusCommit,
    createdAt: s.createdAt,
    endedAt: s.endedAt,
  };
}

function subscriptionMatch(q: string): SQL | undefined {
  if (!q) return undefined;
  const p = contains(q);
  return or(
    ilike(subscriptions.id, p),
    ilike(subscriptions.offer, p),
    ilike(subscriptions.plan, p),
    ilike(subscriptions.status, p),
    ilike(sql`coalesce(${subscriptions.requestId}, '')`, p),
    ilike(sql`array_to_string(${subscriptions.apis}, ' ')`, p),
    ilike(applications.id, p),
    ilike(applications.name, p),
    ilike(accounts.email, p),
  );
}

async function subscriptionsWhere(db: Database, where: SQL | undefined, order: SQL[], query: ListQuery): Promise<ListPage<AdminSubscriptionRow>> {
  const [{ total }] = (await db
    .select({ total: sql<number>`count(*)::int` })
    .from(subscriptions)
    .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
    .innerJoin(accounts, eq(accounts.id, applications.ownerId))
    .where(where)) as [{ total: number }];
  const { page, pages, offset } = clampPage(query.page, Number(total));
  const rows = await db
    .select(subscriptionColumns)
    .from(subscriptions)
    .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
    .innerJoin(accounts, eq(accounts.id, applications.ownerId))
    .where(where)
    .orderBy(...order)
    .limit(PAGE_SIZE)
    .offset(offset);
  return { rows: rows.map(subscriptionRow), total: Number(total), page, pages };
}

/** Every subscription, newest first (ties by id, so pages never overlap). */
export function subscriptionsPage(db: Database, query: ListQuery): Promise<ListPage<AdminSubscriptionRow>> {
  return subscriptionsWhere(db, subscriptionMatch(query.q), [desc(subscriptions.createdAt), asc(subscriptions.id)], query);
}

/**
 * Access requests: subscriptions to offers in pull-request mode, those waiting for approval first
 * (oldest first: they have waited longest), then the ones an admin decided, newest first.
 */
export function requestsPage(db: Database, query: ListQuery): Promise<ListPage<AdminSubscriptionRow>> {
  // A request is a subscription whose grant was proposed on a branch (the writer's `propose`), queued with it.
  const proposed = sql`exists (select 1 from ${outbox} where ${outbox.requestId} = ${subscriptions.requestId} and ${outbox.action} = 'propose')`;
  const isRequest = or(eq(subscriptions.status, 'pending-approval'), and(isNotNull(subscriptions.requestId), proposed));
  const pendingFirst = sql`case when ${subscriptions.status} = 'pending-approval' then 0 else 1 end`;
  const waitingOldestFirst = sql`case when ${subscriptions.status} = 'pending-approval' then extract(epoch from ${subscriptions.createdAt}) else -extract(epoch from ${subscriptions.createdAt}) end`;
  return subscriptionsWhere(db, and(isRequest, subscriptionMatch(query.q)), [asc(pendingFirst), asc(waitingOldestFirst), asc(subscriptions.id)], query);
}

/** How many requests wait for approval (the overview's count). */
export async function pendingRequestCount(db: Database): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(subscriptions).where(eq(subscriptions.status, 'pending-approval'));
  return Number(row?.n ?? 0);
}

export interface AdminKeyRow {
  keyId: string;
  title: string;
  applicationId: string;
  applicationName: string;
  owner: { id: string; email: string };
  status: string;
  statusReason: string | null;
  expiresAt: Date | null;
  retireAt: Date | null;
  createdAt: Date;
}

/**
 * Keys by their id (the 8 characters that are safe to show: never the key, which the portal does not
 * keep), application, owner, title or status; newest first, ties by key id.
 */
export async function keysPage(db: Database, query: ListQuery): Promise<ListPage<AdminKeyRow>> {
  const p = contains(query.q);
  const where = query.q ? or(ilike(apiKeys.keyId, p), ilike(apiKeys.title, p), ilike(apiKeys.status, p), ilike(applications.id, p), ilike(applications.name, p), ilike(accounts.email, p)) : undefined;
  const [{ total }] = (await db
    .select({ total: sql<number>`count(*)::int` })
    .from(apiKeys)
    .innerJoin(applications, eq(applications.id, apiKeys.applicationId))
    .innerJoin(accounts, eq(accounts.id, applications.ownerId))
    .where(where)) as [{ total: number }];
  const { page, pages, offset } = clampPage(query.page, Number(total));
  const rows = await db
    .select({
      keyId: apiKeys.keyId,
      title: apiKeys.title,
      status: apiKeys.status,
      statusReason: apiKeys.statusReason,
      expiresAt: apiKeys.expiresAt,
      retireAt: apiKeys.retireAt,
      createdAt: apiKeys.createdAt,
      applicationId: applications.id,
      applicationName: applications.name,
      owner: { id: accounts.id, email: accounts.email },
    })
    .from(apiKeys)
    .innerJoin(applications, eq(applications.id, apiKeys.applicationId))
    .innerJoin(accounts, eq(accounts.id, applications.ownerId))
    .where(where)
    .orderBy(desc(apiKeys.createdAt), asc(apiKeys.keyId))
    .limit(PAGE_SIZE)
    .offset(offset);
  return { rows, total: Number(total), page, pages };
}

/** The overview's counts: every key and subscription, and the ones in force. */
export async function grantCounts(db: Database): Promise<{ keys: number; activeKeys: number; subscriptions: number; activeSubscriptions: number }> {
  const [k] = await db.select({ n: sql<number>`count(*)::int`, active: sql<number>`count(*) filter (where ${apiKeys.status} in ('committing', 'committed', 'active'))::int` }).from(apiKeys);
  const [s] = await db
    .select({ n: sql<number>`count(*)::int`, active: sql<number>`count(*) filter (where ${subscriptions.status} in ('committing', 'committed', 'active'))::int` })
    .from(subscriptions);
  return { keys: Number(k?.n ?? 0), activeKeys: Number(k?.active ?? 0), subscriptions: Number(s?.n ?? 0), activeSubscriptions: Number(s?.active ?? 0) };
}

/**
 * A mail body cut into text and links. Only http(s) URLs on the portal's own origin become links;
 * a URL whose token was blanked (`…?token=[removed: …]`) stays text, as does any other address.
 */
export type MailPart = { text: string } | { text: string; href: string };

export function mailParts(body: string, portalOrigin: string): MailPart[] {
  const parts: MailPart[] = [];
  const url = /https?:\/\/[^\s<>"'`\[\]]+/g;
  let last = 0;
  for (const match of body.matchAll(url)) {
    let text = match[0];
    // Sentence punctuation after a URL is not part of it.
    const trailing = /[.,;:!?)]+$/.exec(text)?.[0] ?? '';
    text = text.slice(0, text.length - trailing.length);
    const start = match.index;
    const end = start + text.length;
    const redacted = body[end] === '[' || body.slice(end + trailing.length).startsWith('[');
    let href: string | undefined;
    if (!redacted) {
      try {
        const parsed = new URL(text);
        if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === portalOrigin && !parsed.username && !parsed.password) href = parsed.href;
      } catch {
        href = undefined;
      }
    }
    if (!href) continue;
    if (start > last) parts.push({ text: body.slice(last, start) });
    parts.push({ text, href });
    last = end;
  }
  if (last < body.length) parts.push({ text: body.slice(last) });
  return parts;
}
