import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { choosePortal, publicCatalog } from '../../src/lib/catalog/visibility.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

describe('what the public build shows', async () => {
  const catalog = await loadCatalog(path.join(projectRoot, 'content'));

  it('defaults to the portal that offers something to everyone', () => {
    expect(catalog.portals.map((p) => p.key).sort()).toEqual(['internal/internal-api-hub', 'logistics/developer-portal']);
    expect(choosePortal(catalog.portals, catalog.items)?.key).toBe('logistics/developer-portal');
    expect(choosePortal(catalog.portals, catalog.items, 'internal/internal-api-hub')?.key).toBe('internal/internal-api-hub');
    expect(choosePortal(catalog.portals, catalog.items, 'nope/nope')).toBeUndefined();
  });

  it('keeps group-only APIs out of the public catalog', () => {
    const view = publicCatalog(catalog.apis, catalog.items, catalog.portals);
    const keys = view.apis.map((a) => a.key);
    expect(keys).toEqual(['logistics/invoices', 'logistics/legacy-billing', 'logistics/shipments', 'logistics/tracking', 'logistics/warehouses']);
    expect(keys).not.toContain('logistics/partner-rates'); // partners only
    expect(keys).not.toContain('internal/fleet-telemetry'); // employees only
  });
});
