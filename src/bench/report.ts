/** Small helpers for the benchmark's figures and tables. */

/** The q-quantile of values (nearest rank), or NaN for none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!;
}

export const median = (values: number[]) => quantile(values, 0.5);

export const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const ms = (value: number) => (Number.isNaN(value) ? '-' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
export const mb = (value: number) => `${Math.round(value)} MB`;

/** "x3.4" style ratio of Portico's figure to the anchor's; '-' when either is missing. */
export function ratio(portico: number, anchor: number): string {
  if (!Number.isFinite(portico) || !Number.isFinite(anchor) || anchor === 0) return '-';
  if (portico === 0) return '0x';
  const r = portico / anchor;
  return r >= 10 ? `${r.toFixed(0)}x` : r >= 0.1 ? `${r.toFixed(2)}x` : `${r.toFixed(3)}x`;
}

/** A plain-text table: a header, a rule, and left-aligned columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in Markdown, for the README. */
export function formatMarkdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => (c ?? '').replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** One section's printed result: a title, a table, and notes that say what was measured. */
export interface SectionTable {
  title: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

export function printSection(t: SectionTable): void {
  console.log(`\n== ${t.title}\n`);
  console.log(formatTable(t.header, t.rows));
  for (const n of t.notes) console.log(`  ${n}`);
}
