import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../lib/config.ts';
import { PorticoError } from '../lib/errors.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `portico start`: builds the docs from the content repository and serves the portal.
 * With no configuration everything is embedded: the data directory holds what the portal keeps.
 */
export async function runStartCommand(_args: string[]): Promise<number> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  process.env.ASTRO_TELEMETRY_DISABLED = '1'; // the portal phones nowhere
  process.env.PORTICO_CONTENT_DIR = config.contentDir;
  process.env.PORTICO_DATA_DIR = config.dataDir;
  console.log(`portico: building the docs from ${config.contentDir}`);
  const { build } = await import('astro');
  try {
    await build({ root: projectRoot, logLevel: 'warn' });
  } catch (err) {
    throw new PorticoError(`the docs build failed: ${(err as Error).message}`, 'run `npx portico catalog` to see every problem in the content repository');
  }
  process.env.HOST = config.host;
  process.env.PORT = String(config.port);
  await import(pathToFileURL(path.join(projectRoot, 'dist/server/entry.mjs')).href);
  console.log(`portico: the portal is running at ${config.publicUrl} (data in ${config.dataDir})`);
  return 0; // the HTTP server keeps the process alive
}
