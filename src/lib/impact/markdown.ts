import type { ImpactReport } from './diff.ts';

const audience = (a: string) => (a === 'everyone' ? 'everyone' : `group \`${a.slice('group:'.length)}\``);
const code = (s: string) => `\`${s}\``;
const list = (keys: string[]) => (keys.length ? keys.map(code).join(', ') : 'none');

/** The impact report as Markdown for a pull-request comment: who gains or loses what, breaking changes first. */
export function impactToMarkdown(r: ImpactReport): string {
  const out: string[] = [`## Portico impact: ${code(r.base)} → ${code(r.head)}`, ''];
  const empty = !r.apis.added.length && !r.apis.removed.length && !r.visibility.length && !r.itemMoves.length && !r.plans.length && !r.grants.length && !r.operations.length && !r.deprecated.length;
  if (empty) out.push('No change to who can see or call which API.', '');
  else if (r.breaking) out.push('> [!WARNING]', '> This change removes access or breaks clients; see below.', '');
  if (r.newErrors) out.push(`> [!CAUTION]`, `> ${r.newErrors} new catalog ${r.newErrors === 1 ? 'error' : 'errors'} at ${code(r.head)}; run \`portico lint\`.`, '');

  const breaking = r.operations.filter((o) => o.breaking);
  if (breaking.length || r.apis.removed.length) {
    out.push('### Breaking changes', '');
    for (const api of r.apis.removed) out.push(`- API ${code(api)} was removed`);
    for (const o of breaking) out.push(`- ${code(o.api)} ${o.version !== o.api.split('/')[1] ? `(${o.version}) ` : ''}${code(`${o.method} ${o.path}`)}: ${o.details.join('; ')}`);
    out.push('');
  }
  if (r.visibility.length || r.itemMoves.length || r.apis.added.length) {
    out.push('### Visibility', '');
    for (const api of r.apis.added) out.push(`- New API ${code(api)}`);
    for (const v of r.visibility) out.push(`- ${code(v.api)} became **${v.change}** to ${audience(v.audience)} (catalog item ${list(v.items)})`);
    for (const m of r.itemMoves) out.push(`- ${code(m.api)} moved from catalog items ${list(m.from)} to ${list(m.to)}`);
    out.push('');
  }
  if (r.plans.length) {
    out.push('### Plans', '', '| Plan | Before | After | Catalog items | Subscriptions | Applications |', '|---|---|---|---|---|---|');
    for (const p of r.plans) out.push(`| ${code(p.plan)} | ${p.before ?? '(new)'} | ${p.after ?? '(removed)'} | ${list(p.items)} | ${list(p.subscriptions)} | ${list(p.applications)} |`);
    out.push('');
  }
  if (r.grants.length) {
    out.push('### Applications', '');
    for (const g of r.grants) {
      const what =
        g.change === 'granted'
          ? `may now call ${code(g.api)} on plan ${code(g.after!)}`
          : g.change === 'revoked'
            ? `can **no longer** call ${code(g.api)}`
            : `calls ${code(g.api)} on plan ${code(g.after!)} instead of ${code(g.before!)}`;
      out.push(`- ${code(g.appId)} ${what}`);
    }
    out.push('');
  }
  const other = r.operations.filter((o) => !o.breaking);
  if (other.length || r.deprecated.length) {
    out.push('### Other operation changes', '');
    for (const d of r.deprecated) out.push(`- ${code(d.api)} version ${code(d.version)} (${d.release}) is now **deprecated**`);
    for (const o of other) out.push(`- ${code(o.api)} ${code(`${o.method} ${o.path}`)}: ${o.change === 'added' ? 'added' : o.details.join('; ')}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
