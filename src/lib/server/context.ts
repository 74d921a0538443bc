import path from 'node:path';
import { createAccountService, DEFAULT_POLICY, type AccountService } from '../auth/accounts.ts';
import { createMailer } from '../auth/mail.ts';
import { createSessionStore, type SessionStore } from '../auth/sessions.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import { createAccessService, type AccessService } from '../access/service.ts';
import { commitUrl } from '../gitops/links.ts';
import type { Catalog, CatalogPortal } from '../catalog/model.ts';
import { publicCatalog } from '../catalog/visibility.ts';
import { log } from '../observability/log.ts';
import { startGitops, type GitopsRuntime } from './gitops.ts';
import { docsState } from './docs-state.ts';
import { catalogForServer } from './member-docs.ts';

/** Everything a request handler needs, built once per process from the validated configuration. */
export interface ServerContext {
  config: Config;
  database: DatabaseHandle;
  sessions: SessionStore;
  accounts: AccountService;
  catalog: Catalog;
  /** The portal whose name and logo every page's header shows (the one the static pages were built for). */
  portal?: CatalogPortal;
  access: AccessService;
  gitops: GitopsRuntime;
}

/**
 * Held on `globalThis`, not in a module variable: a portal that follows a branch loads each newly
 * built server beside the one before (decision record 19), and every copy must share this one
 * context, with its one database connection.
 */
const CONTEXT = Symbol.for('portico.server-context');
const holder = globalThis as unknown as Record<symbol, Promise<ServerContext> | undefined>;

/**
 * The process's server context. Per process on purpose, not per request: it holds the database
 * connection (one PGlite per data directory, or a PostgreSQL pool). Nothing about a request or a
 * person is kept here.
 */
export function getServerContext(): Promise<ServerContext> {
  holder[CONTEXT] ??= createServerContext(loadConfig()).catch((err: unknown) => {
    holder[CONTEXT] = undefined; // not cached: the next request tries again (the database may come back)
    throw err;
  });
  return holder[CONTEXT];
}

async function createServerContext(config: Config): Promise<ServerContext> {
  const database = await openDatabase({ url: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') });
  const closeOnExit = () => {
    holder[CONTEXT]?.then((c) => c.gitops.stop()).catch(() => {});
    void database.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', closeOnExit);
  process.once('SIGINT', closeOnExit);
  const sessions = createSessionStore(database.db);
  // Without a mail server mail is delivered as files in the data directory; the log says which file, never its links.
  const mailer = createMailer(database.db, { smtpUrl: config.smtpUrl, mailDir: path.join(config.dataDir, 'mail'), from: config.mailFrom, log: (line) => log.info(line) });
  const accounts = createAccountService(database.db, sessions, mailer, {
    ...DEFAULT_POLICY,
    adminEmails: config.adminEmails,
    adminGroups: config.adminGroups,
    publicUrl: config.publicUrl,
    signupsPerHour: config.limits.signupsPerHour,
    mailsPerHour: config.limits.mailsPerHour,
    tokensPerHour: config.limits.tokensPerHour,
  });
  const catalog = await catalogForServer(config);
  const remote = config.git.url;
  const access = createAccessService(database.db, { keyPrefix: config.keyPrefix, environment: 'live', commitUrl: remote ? (sha) => commitUrl(remote, sha) : undefined, limits: config.limits });
  const gitops = await startGitops(config, database.db, catalog, access);
  const { portal } = publicCatalog(catalog.apis, catalog.items, catalog.portals);
  const context: ServerContext = { config, database, sessions, accounts, catalog, portal, access, gitops };
  // When the docs switch to a newer commit, the pages, the admin area and the writer read its catalog.
  docsState().catalogListeners.push((next) => {
    context.catalog = next;
    context.portal = publicCatalog(next.apis, next.items, next.portals).portal;
    gitops.useCatalog(next);
  });
  return context;
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'portico_session';
