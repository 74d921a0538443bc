import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintResult } from '../run.ts';

/** What every formatter gets: the lint result with file paths as the reader needs them, and the rules that ran. */
export interface LintReport {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  files: number;
  rules: ReadonlyArray<{ name: string; description: string; severity: Diagnostic['severity'] }>;
  /** Version of Portico, for SARIF `tool.driver.version`. */
  toolVersion: string;
}

/**
 * Turns a lint result into a report whose paths start with `pathPrefix` (e.g. `content/`), so that
 * annotations and code-scanning results point at files relative to the repository, not the content root.
 */
export function toLintReport(result: LintResult, options: { pathPrefix?: string; toolVersion: string }): LintReport {
  const prefix = options.pathPrefix ? `${options.pathPrefix.replace(/\/+$/, '')}/` : '';
  return {
    diagnostics: result.diagnostics.map((d) => ({ ...d, file: d.file === '.' ? prefix || '.' : `${prefix}${d.file}` })),
    errors: result.errors,
    warnings: result.warnings,
    files: result.files,
    rules: result.rules.map(({ name, description, severity }) => ({ name, description, severity })),
    toolVersion: options.toolVersion,
  };
}
