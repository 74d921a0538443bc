import type { LintReport } from './report.ts';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/**
 * SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`). Locations are relative
 * URIs under `%SRCROOT%`, which code scanning resolves against the checkout; no absolute path leaks out.
 */
export function formatSarif(report: LintReport): string {
  const ruleIndex = new Map(report.rules.map((r, i) => [r.name, i]));
  const extraRules = [...new Set(report.diagnostics.map((d) => d.rule).filter((r) => !ruleIndex.has(r)))];
  const rules = [...report.rules, ...extraRules.map((name) => ({ name, description: `Catalog check ${name}.`, severity: 'error' as const }))];
  rules.forEach((r, i) => ruleIndex.set(r.name, i));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portico',
            version: report.toolVersion,
            rules: rules.map((r) => ({
              id: r.name,
              name: r.name.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
              shortDescription: { text: r.description },
              help: { text: `${r.description} See docs/lint.md, section ${r.name}, for an example and the fix.` },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        results: report.diagnostics.map((d) => ({
          ruleId: d.rule,
          ruleIndex: ruleIndex.get(d.rule)!,
          level: LEVEL[d.severity],
          message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(d.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: d.line, startColumn: d.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
