import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';

const listed = (r: Resource, field: string): boolean => Array.isArray(r.spec[field]) && r.spec[field].length > 0;

/**
 * `childless`: a bundle, catalog item or subscription that selects nothing. When it names something that
 * does not exist, `reference` already says so; this rule speaks only when nothing was named or a selector
 * matched nothing, which is the silent case.
 */
export const childlessRule: LintRule = {
  name: 'childless',
  description: 'An APIBundle, APICatalogItem or ManagedSubscription that selects no API, or a subscription that covers no application.',
  severity: 'warning',
  check(input) {
    const out: Diagnostic[] = [];
    const { catalog } = input;
    const find = (kind: string, key: string) => input.resources.find((r) => r.id.kind === kind && `${r.id.namespace}/${r.id.name}` === key);
    for (const b of catalog.bundles) {
      const r = find('APIBundle', b.key);
      if (!r || b.apis.length > 0 || listed(r, 'apis')) continue;
      out.push(
        diagnosticAt(
          r.file,
          r.doc,
          r.spec.apiSelector ? ['spec', 'apiSelector'] : ['spec'],
          'warning',
          'childless',
          `APIBundle ${b.key} selects no API${r.spec.apiSelector ? ': its apiSelector matches no API in the namespace' : ''}`,
          'list APIs in spec.apis, or label APIs to match spec.apiSelector',
        ),
      );
    }
    for (const item of catalog.items) {
      if (item.id.kind !== 'APICatalogItem') continue;
      const r = find('APICatalogItem', item.key);
      if (!r || item.apis.length > 0 || listed(r, 'apis') || listed(r, 'apiBundles')) continue;
      if (item.bundles.length > 0) {
        out.push(diagnosticAt(r.file, r.doc, ['spec', 'apiBundles'], 'warning', 'childless', `APICatalogItem ${item.key} shows no API: its bundles are empty`));
        continue;
      }
      out.push(
        diagnosticAt(
          r.file,
          r.doc,
          r.spec.apiSelector ? ['spec', 'apiSelector'] : ['spec'],
          'warning',
          'childless',
          `APICatalogItem ${item.key} shows no API${r.spec.apiSelector ? ': its apiSelector matches no API in the namespace' : ''}`,
          'list APIs or bundles in spec.apis / spec.apiBundles, or fix spec.apiSelector',
        ),
      );
    }
    for (const sub of catalog.subscriptions) {
      const r = find('ManagedSubscription', sub.key);
      if (!r) continue;
      const apis = new Set([...sub.apis, ...catalog.bundles.filter((b) => sub.bundles.includes(b.key)).flatMap((b) => b.apis)]);
      if (apis.size === 0 && !listed(r, 'apis') && !listed(r, 'apiBundles') && !r.spec.apiSelector) {
        out.push(diagnosticAt(r.file, r.doc, ['spec'], 'warning', 'childless', `ManagedSubscription ${sub.key} subscribes to no API`));
      }
      const namesApps = listed(r, 'applications') || listed(r, 'managedApplications');
      if (sub.appIds.length === 0 && !namesApps) {
        out.push(
          diagnosticAt(
            r.file,
            r.doc,
            r.spec.managedApplicationSelector ? ['spec', 'managedApplicationSelector'] : ['spec'],
            'warning',
            'childless',
            `ManagedSubscription ${sub.key} covers no application${r.spec.managedApplicationSelector ? ': its managedApplicationSelector matches no ManagedApplication' : ''}`,
          ),
        );
      }
    }
    return out;
  },
};
