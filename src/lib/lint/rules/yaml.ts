import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** `yaml`: A YAML or JSON file that cannot be parsed. Found while loading the catalog. */
export const yamlRule: LintRule = {
  name: 'yaml',
  description: 'A YAML or JSON file that cannot be parsed.',
  severity: 'error',
  check: (input) => loaderDiagnostics(input, 'yaml'),
};
