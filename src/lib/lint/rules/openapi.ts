import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** `openapi`: OpenAPI documents parse and validate, including semantic checks: unique operationId, declared path parameters, spec files that exist, $refs that resolve and do not go round in a loop. Found while loading the catalog. */
export const openapiRule: LintRule = {
  name: 'openapi',
  description:
    'OpenAPI documents parse and validate, including semantic checks: unique operationId, declared path parameters, spec files that exist, $refs that resolve and do not go round in a loop.',
  severity: 'error',
  check: (input) => loaderDiagnostics(input, 'openapi'),
};
