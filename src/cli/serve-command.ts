import path from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { PorticoError } from '../lib/errors.ts';
import { serveBuiltSite } from '../lib/server/serve.ts';
import { waitUntilReady } from './start-command.ts';

/**
 * `portico serve [--site dir]`: serves a portal that was built before, without building: the
 * data directory's `site/` (what `portico start` builds) or the folder given.
 */
export async function runServeCommand(args: string[]): Promise<number> {
  const config = loadConfig();
  const flag = args.indexOf('--site');
  if (flag >= 0 && !args[flag + 1]) throw new PorticoError('--site needs a folder', 'for example: portico serve --site .data/site');
  const siteDir = path.resolve(flag >= 0 ? args[flag + 1]! : path.join(config.dataDir, 'site'));
  process.env.PORTICO_CONTENT_DIR = config.contentDir;
  process.env.PORTICO_DATA_DIR = config.dataDir;
  await serveBuiltSite(siteDir, { host: config.host, port: config.port, publicUrl: config.publicUrl });
  await waitUntilReady(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
  console.log(`portico: the portal is running at ${config.publicUrl} (data in ${config.dataDir})`);
  return 0; // the HTTP server keeps the process alive
}
