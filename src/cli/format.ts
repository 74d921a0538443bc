import { formatHumanDiagnostic as formatDiagnostic } from '../lib/lint/formatters/human.ts';
import { palette } from '../lib/terminal.ts';
import type { CatalogSummary } from '../lib/catalog/summary.ts';

export { palette } from '../lib/terminal.ts';
/** One line a diagnostic; the same words `portico lint` prints. */
export { formatHumanDiagnostic as formatDiagnostic } from '../lib/lint/formatters/human.ts';

/** The readable summary `portico catalog` prints without --json. */
export function formatSummary(s: CatalogSummary, colour = false): string {
  const c = palette(colour);
  const out: string[] = [];
  out.push(c.bold(`Catalog of ${s.root}`));
  out.push(c.dim(`${s.stats.files} files, ${s.stats.documents} documents, ${s.stats.specs} OpenAPI documents (${s.stats.specsFromCache} from cache), ${s.stats.operations} operations`));
  out.push('', c.bold(`APIs (${s.apis.length})`));
  for (const a of s.apis) {
    out.push(`  ${c.cyan(a.key)}  ${a.title}  ${c.dim(`[${a.gateway}]`)}`);
    for (const v of a.versions) {
      const dep = v.deprecated ? c.yellow(' deprecated') : '';
      out.push(
        `    ${v.name} ${c.dim(v.release)}${dep}  ${v.operations} operations${v.webhooks ? `, ${v.webhooks} webhooks` : ''}, ${v.schemas} schemas  ${c.dim(`OpenAPI ${v.openapi ?? '-'} from ${v.source}`)}`,
      );
    }
  }
  if (s.failedApis.length) {
    out.push('', c.bold(`Left out of the site (${s.failedApis.length} of ${s.apis.length} APIs)`));
    for (const f of s.failedApis) {
      out.push(`  ${c.red(f.key)}  ${c.dim(f.source)}`);
      for (const r of f.reasons) out.push(`    ${r}`);
    }
  }
  out.push('', c.bold(`Plans (${s.plans.length})`));
  for (const p of s.plans) out.push(`  ${c.cyan(p.key)}  ${p.title}: ${p.limits}`);
  out.push('', c.bold(`Catalog items (${s.catalogItems.length})`));
  for (const i of s.catalogItems) {
    const filter = i.operationFilter.length ? `, operations: ${i.operationFilter.join(', ')}` : '';
    out.push(`  ${c.cyan(i.key)}  ${i.visibility}; ${i.apis.length} APIs${i.plan ? `, plan ${i.plan}` : ', no plan (not self-service)'}${filter}`);
  }
  out.push('', c.bold(`Bundles (${s.bundles.length})`));
  for (const b of s.bundles) out.push(`  ${c.cyan(b.key)}  ${b.title}: ${b.apis.join(', ') || c.yellow('selects no API')}`);
  out.push('', c.bold(`Portals (${s.portals.length})`));
  for (const p of s.portals) out.push(`  ${c.cyan(p.key)}  ${p.title}: ${p.items.length} catalog items`);
  if (s.applications.length || s.subscriptions.length) {
    out.push('', c.bold(`Applications (${s.applications.length}) and subscriptions (${s.subscriptions.length})`));
    for (const a of s.applications) out.push(`  ${c.cyan(a.key)}  appId ${a.appId}, owner ${a.owner}, ${a.apiKeys} keys`);
    for (const sub of s.subscriptions) out.push(`  ${c.cyan(sub.key)}  ${sub.appIds.join(', ')} -> ${[...sub.apis, ...sub.bundles].join(', ')} on ${sub.plan}`);
  }
  out.push('', c.bold(`Guides (${s.guides.length})`));
  for (const g of s.guides) out.push(`  ${g.title}  ${c.dim(g.source)}`);
  out.push('');
  if (s.diagnostics.length) {
    out.push(c.bold('Diagnostics'));
    for (const d of s.diagnostics) out.push(`  ${formatDiagnostic(d, colour)}`);
    out.push('');
  }
  const verdict = s.stats.errors ? c.red(`${s.stats.errors} errors`) : c.green('0 errors');
  out.push(`${verdict}, ${s.stats.warnings} warnings`);
  return out.join('\n');
}
