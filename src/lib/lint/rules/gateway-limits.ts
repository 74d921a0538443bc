import type { Diagnostic } from '../../catalog/diagnostics.ts';
import { DEFAULT_GATEWAYS, gatewayTargets } from '../../gitops/render/targets.ts';
import type { LintRule } from '../rule.ts';

/**
 * Plans whose limits a configured gateway target cannot enforce as written (each target's
 * `limitProblem`). The Git writer leaves a grant on such a plan out of the commit (and says why to
 * its owner); lint says so before anyone subscribes.
 */
export const gatewayLimitsRule: LintRule = {
  name: 'gateway-limits',
  description: 'A plan whose rate limit or quota a gateway target cannot enforce as written (HAProxy: whole numbers, a rate period of at most 2,000,000 seconds).',
  severity: 'warning',
  check({ catalog, gateways }) {
    const out: Diagnostic[] = [];
    const targets = gatewayTargets(gateways ?? DEFAULT_GATEWAYS).filter((t) => t.limitProblem);
    for (const plan of catalog.plans) {
      for (const kind of ['rateLimit', 'quota'] as const)
        for (const target of targets) {
          const limit = plan[kind];
          const problem = limit && target.limitProblem!(limit, kind);
          if (!problem) continue;
          out.push({
            severity: 'warning',
            rule: 'gateway-limits',
            message: `${plan.id.kind} ${plan.key} has ${problem}; subscriptions to it are not committed for the ${target.name} gateway`,
            hint: target.limitHint ?? `leave ${target.name} out of PORTICO_GATEWAYS`,
            file: plan.source.file,
            line: plan.source.line,
            column: plan.source.column,
          });
        }
    }
    return out;
  },
};
