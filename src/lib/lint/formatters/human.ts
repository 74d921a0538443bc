import { formatDocPath, type Diagnostic } from '../../catalog/diagnostics.ts';
import { palette } from '../../terminal.ts';
import type { LintReport } from './report.ts';

/** `file:line:col  severity  rule  message (field)`, then the hint: what a person reads in a terminal. */
export function formatHumanDiagnostic(d: Diagnostic, colour = false): string {
  const c = palette(colour);
  const sev = d.severity === 'error' ? c.red('error') : d.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  const where = d.path && d.path.length ? c.dim(` (${formatDocPath(d.path)})`) : '';
  const hint = d.hint ? `\n    ${c.dim(`hint: ${d.hint}`)}` : '';
  return `${c.bold(`${d.file}:${d.line}:${d.column}`)}  ${sev}  ${c.dim(d.rule)}  ${d.message}${where}${hint}`;
}

/** The whole report for a terminal, ending with the verdict line. */
export function formatHuman(report: LintReport, options: { colour?: boolean } = {}): string {
  const c = palette(options.colour ?? false);
  const lines = report.diagnostics.map((d) => formatHumanDiagnostic(d, options.colour));
  const verdict = report.errors ? c.red(`${report.errors} ${report.errors === 1 ? 'error' : 'errors'}`) : c.green('0 errors');
  lines.push(`${lines.length ? '\n' : ''}${verdict}, ${report.warnings} ${report.warnings === 1 ? 'warning' : 'warnings'} in ${report.files} files`);
  return `${lines.join('\n')}\n`;
}
