import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** `resource`: Every resource is valid against its CRD schema, including the CEL rules (url or path, groups or everyone, one of secretName and value). Found while loading the catalog. */
export const resourceRule: LintRule = {
  name: 'resource',
  description: 'Every resource is valid against its CRD schema, including the CEL rules (url or path, groups or everyone, one of secretName and value).',
  severity: 'error',
  check: (input) => loaderDiagnostics(input, 'resource'),
};
