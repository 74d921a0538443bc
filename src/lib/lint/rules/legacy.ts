import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/** `legacy`: Resources in the Traefik Hub shape from before March 2024, or kinds Traefik removed, with the migration spelled out. Found while loading the catalog. */
export const legacyRule: LintRule = {
  name: 'legacy',
  description: 'Resources in the Traefik Hub shape from before March 2024, or kinds Traefik removed, with the migration spelled out.',
  severity: 'warning',
  check: (input) => loaderDiagnostics(input, 'legacy'),
};
