import path from 'node:path';
import { parseArgs } from 'node:util';
import { PorticoError } from '../lib/errors.ts';
import { impactBetween } from '../lib/impact/impact.ts';
import { impactToMarkdown } from '../lib/impact/markdown.ts';
import { resolveContentRoot } from './content-root.ts';

const USAGE = 'usage: portico impact <base>..<head> [--json] [--root <content dir in the repository>]';

/** `portico impact <base>..<head>`: Markdown (for a PR comment) or JSON; exit 0 unless it cannot run. */
export async function runImpactCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, root: { type: 'string' } } });
  } catch (err) {
    throw new PorticoError((err as Error).message, USAGE);
  }
  const range = parsed.positionals[0];
  if (!range || parsed.positionals.length > 1) throw new PorticoError('give one revision range', USAGE);
  const root = resolveContentRoot(parsed.values.root);
  const report = await impactBetween(root, range);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : impactToMarkdown(report));
  return 0;
}
