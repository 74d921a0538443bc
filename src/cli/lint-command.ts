import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { PorticoError } from '../lib/errors.ts';
import { formatLintReport, isLintFormat, LINT_FORMATS, toLintReport } from '../lib/lint/formatters/index.ts';
import { LINT_RULES } from '../lib/lint/rules/index.ts';
import { lintContent, unknownRuleNames } from '../lib/lint/run.ts';
import { resolveContentRoot } from './content-root.ts';

const USAGE = `usage: portico lint [root] [--format ${LINT_FORMATS.join('|')}] [--output file] [--max-warnings N]
                    [--rule.<name>=false ...] [--offline] [--no-cache]
rules: ${LINT_RULES.map((r) => r.name).join(', ')}`;

/** Splits `--rule.<name>=false|true` (and bare `--rule.<name>`) off the arguments `parseArgs` understands. */
export function parseRuleSwitches(args: string[]): { rules: Record<string, boolean>; rest: string[] } {
  const rules: Record<string, boolean> = {};
  const rest: string[] = [];
  for (const arg of args) {
    const m = /^--rule\.([a-z0-9-]+)(?:=(true|false|on|off|0|1))?$/.exec(arg);
    if (!m) {
      if (arg.startsWith('--rule.')) throw new PorticoError(`cannot read "${arg}"`, USAGE);
      rest.push(arg);
      continue;
    }
    rules[m[1]!] = !['false', 'off', '0'].includes(m[2] ?? 'true');
  }
  return { rules, rest };
}

/** `portico lint [root]`: runs the lint rules; exit 1 on errors or more warnings than --max-warnings. */
export async function runLintCommand(args: string[]): Promise<number> {
  const { rules, rest } = parseRuleSwitches(args);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'human' },
        output: { type: 'string', short: 'o' },
        'max-warnings': { type: 'string' },
        offline: { type: 'boolean' },
        'no-cache': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new PorticoError((err as Error).message, USAGE);
  }
  const format = parsed.values.format!;
  if (!isLintFormat(format)) throw new PorticoError(`unknown format "${format}"`, USAGE);
  const unknown = unknownRuleNames(rules);
  if (unknown.length) throw new PorticoError(`unknown rule ${unknown.map((r) => `"${r}"`).join(', ')}`, USAGE);
  const maxWarnings = parsed.values['max-warnings'] === undefined ? Infinity : Number(parsed.values['max-warnings']);
  if (!Number.isInteger(maxWarnings) && maxWarnings !== Infinity) throw new PorticoError('--max-warnings takes a whole number', USAGE);

  const config = loadConfig();
  const root = resolveContentRoot(parsed.positionals[0]);
  const result = await lintContent(root, {
    rules,
    gateways: config.gateways,
    cacheDir: parsed.values['no-cache'] ? undefined : config.cacheDir,
    offline: parsed.values.offline || config.offline,
  });
  // Paths relative to the working directory (the repository checkout in CI), so annotations land on the right files.
  const fromCwd = path.relative(process.cwd(), root);
  const pathPrefix = fromCwd && !fromCwd.startsWith('..') && !path.isAbsolute(fromCwd) ? fromCwd.split(path.sep).join('/') : '';
  const report = toLintReport(result, { pathPrefix, toolVersion: porticoVersion() });
  const toFile = parsed.values.output;
  const colour = !toFile && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const text = formatLintReport(report, format, { colour });
  if (toFile) {
    writeFileSync(toFile, text);
    process.stderr.write(`${result.errors} errors, ${result.warnings} warnings; ${format} written to ${toFile}\n`);
  } else {
    process.stdout.write(text);
  }
  if (result.warnings > maxWarnings) process.stderr.write(`portico lint: ${result.warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
  return result.errors > 0 || result.warnings > maxWarnings ? 1 : 0;
}

function porticoVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
