import type { LintReport } from './report.ts';

/** Machine-readable output: counts, then every diagnostic as the catalog model defines it. */
export function formatJson(report: LintReport): string {
  const { errors, warnings, files, diagnostics } = report;
  return `${JSON.stringify({ errors, warnings, files, diagnostics }, null, 2)}\n`;
}
