import type { LintRule } from '../rule.ts';
import { childlessRule } from './childless.ts';
import { duplicateRule } from './duplicate.ts';
import { gatewayLimitsRule } from './gateway-limits.ts';
import { legacyRule } from './legacy.ts';
import { openapiRule } from './openapi.ts';
import { operationSetRule } from './operation-set.ts';
import { orphanRule } from './orphan.ts';
import { referenceRule } from './reference.ts';
import { regexRule } from './regex.ts';
import { releaseRule } from './release.ts';
import { resourceRule } from './resource.ts';
import { routeConflictRule } from './route-conflict.ts';
import { selectorRule } from './selector.ts';
import { serversRule } from './servers.ts';
import { yamlRule } from './yaml.ts';

/** Every lint rule, in the order docs/lint.md documents them. */
export const LINT_RULES: readonly LintRule[] = [
  yamlRule,
  resourceRule,
  referenceRule,
  duplicateRule,
  orphanRule,
  childlessRule,
  selectorRule,
  operationSetRule,
  regexRule,
  releaseRule,
  openapiRule,
  serversRule,
  routeConflictRule,
  gatewayLimitsRule,
  legacyRule,
];
