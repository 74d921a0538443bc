import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../lib/catalog/load.ts';
import { summariseCatalog } from '../lib/catalog/summary.ts';
import { loadConfig } from '../lib/config.ts';
import { PorticoError } from '../lib/errors.ts';
import { resolveContentRoot } from './content-root.ts';
import { formatSummary } from './format.ts';

/** `portico catalog [root] [--json]`: prints the normalised catalog and its diagnostics; exit 1 on errors. */
export async function runCatalogCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, offline: { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
    });
  } catch (err) {
    throw new PorticoError((err as Error).message, 'usage: portico catalog [root] [--json] [--offline] [--no-cache]');
  }
  const config = loadConfig();
  const root = resolveContentRoot(parsed.positionals[0]);
  const catalog = await loadCatalog(root, {
    cacheDir: parsed.values['no-cache'] ? undefined : config.cacheDir,
    offline: parsed.values.offline || config.offline,
  });
  const summary = summariseCatalog(catalog);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(`${formatSummary(summary, colour)}\n`);
  }
  return summary.stats.errors > 0 ? 1 : 0;
}
