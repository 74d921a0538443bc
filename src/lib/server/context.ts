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

let context: Promise<ServerContext> | undefined;

/**
 * The process's server context. Module-level on purpose and per process, not per request: it holds
 * the database connection (one PGlite per data directory, or a PostgreSQL pool). Nothing about a
 * request or a person is kept here.
 */
export function getServerContext(): Promise<ServerContext> {
  context ??= createServerContext(loadConfig()).catch((err: unknown) => {
    context = undefined; // not cached: the next request tries again (the database may come back)
    throw err;
  });
  return context;
}

async function createServerContext(config: Config): Promise<ServerContext> {
  const database = await openDatabase({ url: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') });
  const closeOnExit = () => {
    context?.then((c) => c.gitops.stop()).catch(() => {});
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
  return { config, database, sessions, accounts, catalog, portal, access, gitops };
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'portico_session';
