import type { Diagnostic } from '../catalog/diagnostics.ts';
import { loadCatalog, type LoadCatalogOptions } from '../catalog/load.ts';
import type { Resource } from '../catalog/resources.ts';
import type { Catalog } from '../catalog/model.ts';
import { LINT_RULES } from './rules/index.ts';
import { ownerOf, type LintInput, type LintRule } from './rule.ts';

/** What `portico lint` found. */
export interface LintResult {
  root: string;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  /** The rules that ran (all but the disabled ones). */
  rules: readonly LintRule[];
  files: number;
}

export interface LintOptions extends Pick<LoadCatalogOptions, 'cacheDir' | 'offline' | 'urlTimeoutMs'> {
  /** Rules switched on or off by name (`--rule.<name>=false`); every rule is on by default. */
  rules?: Record<string, boolean>;
  /** The gateway targets grants are rendered for (PORTICO_GATEWAYS): rules about what a gateway can enforce read them. */
  gateways?: readonly string[];
}

/** Names of unknown rules in a `rules` setting, so the CLI can refuse a typo instead of ignoring it. */
export function unknownRuleNames(rules: Record<string, boolean>): string[] {
  const known = new Set(LINT_RULES.map((r) => r.name));
  return Object.keys(rules).filter((name) => !known.has(name));
}

/** Runs the enabled rules over an already loaded catalog and its resources; pure, no I/O. */
export function lintCatalog(catalog: Catalog, resources: Resource[], options: Pick<LintOptions, 'rules' | 'gateways'> = {}): LintResult {
  const rules = LINT_RULES.filter((r) => options.rules?.[r.name] !== false);
  const input: LintInput = { catalog, resources, gateways: options.gateways };
  const diagnostics = rules.flatMap((rule) => checkSafely(rule, input));
  // Loader findings tagged with a rule no lint rule owns are kept, so nothing the catalog knows gets lost.
  const owned = new Set(LINT_RULES.map((r) => r.name));
  diagnostics.push(...catalog.diagnostics.filter((d) => !owned.has(ownerOf(d)) && options.rules?.[d.rule] !== false));
  const unique = dedupe(diagnostics).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message));
  return {
    root: catalog.root,
    diagnostics: unique,
    errors: unique.filter((d) => d.severity === 'error').length,
    warnings: unique.filter((d) => d.severity === 'warning').length,
    rules,
    files: catalog.stats.files,
  };
}

/** Loads the content root and lints it: `portico lint [root]`. Never throws on bad content. */
export async function lintContent(root: string, options: LintOptions = {}): Promise<LintResult> {
  let resources: Resource[] = [];
  const catalog = await loadCatalog(root, { ...options, onScan: (scan) => (resources = scan.resources) });
  return lintCatalog(catalog, resources, options);
}

/** One rule's findings; a rule that fails on some content becomes one finding, so the others still run. */
function checkSafely(rule: LintRule, input: LintInput): Diagnostic[] {
  try {
    return rule.check(input);
  } catch (err) {
    return [
      {
        severity: 'error',
        rule: rule.name,
        file: '.',
        line: 1,
        column: 1,
        message: `the ${rule.name} rule stopped on this content (${(err as Error).message}); the other rules ran, please report it`,
      },
    ];
  }
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.rule}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
