import { formatCheckstyle } from './checkstyle.ts';
import { formatGithub } from './github.ts';
import { formatHuman } from './human.ts';
import { formatJson } from './json.ts';
import type { LintReport } from './report.ts';
import { formatSarif } from './sarif.ts';

export { toLintReport, type LintReport } from './report.ts';

/** The output formats of `portico lint --format`. */
export const LINT_FORMATS = ['human', 'json', 'sarif', 'checkstyle', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** Renders a report in one of the formats; `colour` only affects `human`. */
export function formatLintReport(report: LintReport, format: LintFormat, options: { colour?: boolean } = {}): string {
  switch (format) {
    case 'human':
      return formatHuman(report, options);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report);
    case 'checkstyle':
      return formatCheckstyle(report);
    case 'github':
      return formatGithub(report);
  }
}

/** Is this string one of the formats? */
export function isLintFormat(value: string): value is LintFormat {
  return (LINT_FORMATS as readonly string[]).includes(value);
}
