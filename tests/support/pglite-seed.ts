import { cpSync, existsSync } from 'node:fs';
import { inject } from 'vitest';

/**
 * Puts a copy of the test run's empty PGlite cluster (made once, by tests/support/shared-sites.ts)
 * at `pgliteDir`, where a portal or a test database opens it: what PGlite's own initdb would have
 * made there, without its seconds of CPU. The migrations still run on every copy, as on a first
 * start. Returns false, and leaves `pgliteDir` alone, outside a Vitest run or when it already exists.
 *
 * Tests of a portal's first start that must see PGlite make its cluster pass their own data
 * directory (the helpers seed only folders they made themselves).
 */
export function seedPglite(pgliteDir: string): boolean {
  let seed: string | undefined;
  try {
    seed = inject('porticoSharedSites')?.pgliteSeed;
  } catch {
    return false; // not in a Vitest worker
  }
  if (!seed || !existsSync(seed) || existsSync(pgliteDir)) return false;
  cpSync(seed, pgliteDir, { recursive: true });
  return true;
}
