import type { LintReport } from './report.ts';

// Escaping of workflow commands, as @actions/core does it (toCommandValue/escapeData/escapeProperty).
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, shown inline on the PR. */
export function formatGithub(report: LintReport): string {
  const lines = report.diagnostics.map((d) => {
    const command = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
    const props = `file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(`portico ${d.rule}`)}`;
    return `::${command} ${props}::${escapeData(d.hint ? `${d.message}\nhint: ${d.hint}` : d.message)}`;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}
