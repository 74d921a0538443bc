import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** `yaml`: A YAML or JSON file that cannot be read as written: it does not parse, is not UTF-8, repeats a key, nests too deeply, or is a symbolic link out of the content root. Found while loading the catalog. */
export const yamlRule: LintRule = {
  name: 'yaml',
  description: 'A YAML or JSON file that cannot be read as written: it does not parse, is not UTF-8, repeats a key, nests too deeply, or is a symbolic link out of the content root.',
  severity: 'error',
  check: (input) => loaderDiagnostics(input, 'yaml'),
};
