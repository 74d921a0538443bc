import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { PorticoError } from '../lib/errors.ts';
import { docsState } from '../lib/server/docs-state.ts';
import { PUSH_WEBHOOK_PATH, pushWebhook } from '../lib/server/push-webhook.ts';
import { serveBuiltSite } from '../lib/server/serve.ts';
import { readBuildInfo } from '../lib/server/site-build-info.ts';
import { waitUntilReady } from './start-command.ts';

/**
 * `portico serve [--site dir]`: serves a portal that was built before, without building: the
 * data directory's `site/` (what `portico start` builds) or the folder given. With a Git remote
 * configured it follows the docs branch (decision record 19): it serves what it has at once, then
 * builds and switches to each new commit of the branch.
 */
export async function runServeCommand(args: string[]): Promise<number> {
  const config = loadConfig();
  const flag = args.indexOf('--site');
  if (flag >= 0 && !args[flag + 1]) throw new PorticoError('--site needs a folder', 'for example: portico serve --site .data/site');
  let siteDir = path.resolve(flag >= 0 ? args[flag + 1]! : path.join(config.dataDir, 'site'));
  let contentDir = config.contentDir;
  // A follower that restarts serves the commit it had switched to, not the older site it was given.
  // Loaded only when following: the catalog loader it brings would slow every other start.
  const follow = config.docs ? await import('../lib/server/follow-branch.ts') : undefined;
  const resumed = follow?.lastFollowedSite(config.dataDir);
  if (resumed) ({ siteDir, contentDir } = resumed);
  if (config.docs && !existsSync(path.join(siteDir, 'server', 'entry.mjs'))) {
    throw new PorticoError(
      `there is no built portal in ${siteDir} to serve while the docs branch is built`,
      'run `portico build` first (the image does at its build); the portal then follows the branch from there',
    );
  }
  process.env.PORTICO_CONTENT_DIR = contentDir;
  process.env.PORTICO_DATA_DIR = config.dataDir;
  const state = docsState();
  state.contentDir = contentDir;
  const info = readBuildInfo(siteDir);
  state.commit = info?.commit;
  state.builtAt = info ? new Date(info.builtAt) : undefined;

  let onPush = (_reason: string) => {};
  const routes = config.docs
    ? {
        [`POST ${PUSH_WEBHOOK_PATH}`]: pushWebhook({
          secret: config.docs.webhookSecret,
          branch: config.docs.branch,
          publicOrigin: new URL(config.publicUrl).origin,
          onPush: (event) => onPush(`push webhook (${event.host})`),
        }),
      }
    : undefined;
  const portal = await serveBuiltSite(siteDir, { host: config.host, port: config.port, publicUrl: config.publicUrl, routes });
  await waitUntilReady(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
  console.log(`portico: the portal is running at ${config.publicUrl} (data in ${config.dataDir})`);
  if (config.docs && follow) {
    const follower = follow.followBranch(config, portal, config.docs);
    onPush = (reason) => void follower.check(reason);
    console.log(
      `portico: the docs follow ${state.following!.url} branch ${config.docs.branch}${config.docs.path === '.' ? '' : ` folder ${config.docs.path}`}, checked every ${config.docs.pollSeconds} s${config.docs.webhookSecret ? ` and on a push to ${PUSH_WEBHOOK_PATH}` : ''}`,
    );
    process.once('SIGTERM', () => follower.stop());
    void follower.check('start');
  }
  return 0; // the HTTP server keeps the process alive
}
