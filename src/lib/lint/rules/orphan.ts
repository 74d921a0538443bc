import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/**
 * `orphan`: something nobody can reach. The loader reports APIVersions no API lists; here, plans no
 * catalog item or subscription offers, and APIs no catalog item, bundle or subscription exposes
 * (such an API is routed but no portal shows it and nobody can subscribe to it).
 */
export const orphanRule: LintRule = {
  name: 'orphan',
  description: 'An APIVersion no API lists, an APIPlan no catalog item or subscription uses, or an API no catalog item, bundle or subscription exposes (keyless APIs are public and never orphans).',
  severity: 'warning',
  check(input) {
    const out: Diagnostic[] = loaderDiagnostics(input, 'orphan');
    const { catalog } = input;
    const byIdentity = new Map(input.resources.map((r) => [`${r.id.group}/${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
    const usedPlans = new Set([...catalog.items.map((i) => i.plan), ...catalog.subscriptions.map((s) => s.plan)]);
    for (const plan of catalog.plans) {
      if (usedPlans.has(plan.key)) continue;
      if (plan.id.kind === 'APIRateLimit') continue; // it names its APIs and groups itself: nothing has to offer it
      const r = byIdentity.get(`${plan.id.group}/${plan.id.kind}/${plan.id.namespace}/${plan.id.name}`);
      if (!r) continue;
      out.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['metadata', 'name'],
          'warning',
          'orphan',
          `${plan.id.kind} ${plan.key} is used by no catalog item and no subscription, so nobody can subscribe to it`,
          'name it in an APICatalogItem or ManagedSubscription spec.apiPlan, or delete it',
        ),
      );
    }
    const exposed = new Set([...catalog.items.flatMap((i) => i.apis), ...catalog.bundles.flatMap((b) => b.apis), ...catalog.subscriptions.flatMap((s) => s.apis)]);
    for (const api of catalog.apis) {
      if (exposed.has(api.key)) continue;
      // A keyless API needs no key, so no policy or subscription has to grant it: it is public, not lost.
      if (api.versions.length > 0 && api.versions.every((v) => v.gatewayAuth?.keyless)) continue;
      const r = byIdentity.get(`${api.id.group}/${api.id.kind}/${api.id.namespace}/${api.id.name}`);
      if (!r) continue;
      const fix = api.gateway.gateway === 'tyk' ? 'grant it in a SecurityPolicy access_rights_array' : 'list it in an APICatalogItem or APIBundle';
      out.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['metadata', 'name'],
          'warning',
          'orphan',
          `${api.id.kind} ${api.key} is in no catalog item, bundle or subscription, so no portal shows it`,
          `${fix}, or delete it`,
        ),
      );
    }
    return out;
  },
};
