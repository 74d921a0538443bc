import type { LintReport } from './report.ts';

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Checkstyle XML (version 4.3), which Jenkins, GitLab and reviewdog read; `source` is `portico.<rule>`. */
export function formatCheckstyle(report: LintReport): string {
  const byFile = new Map<string, LintReport['diagnostics']>();
  for (const d of report.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">'];
  for (const [file, list] of byFile) {
    out.push(`  <file name="${escapeXml(file)}">`);
    for (const d of list) {
      const message = d.hint ? `${d.message} (hint: ${d.hint})` : d.message;
      out.push(`    <error line="${d.line}" column="${d.column}" severity="${d.severity}" message="${escapeXml(message)}" source="portico.${escapeXml(d.rule)}"/>`);
    }
    out.push('  </file>');
  }
  out.push('</checkstyle>');
  return `${out.join('\n')}\n`;
}
