import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { HTTP_METHODS } from '../../src/lib/catalog/model.ts';

const require = createRequire(import.meta.url);
const specPath = require.resolve('@octokit/openapi/generated/api.github.com.json');
const root = mkdtempSync(path.join(tmpdir(), 'portico-github-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the GitHub REST description (13 MB)', () => {
  it('loads with every operation the document declares, and no errors', async () => {
    copyFileSync(specPath, path.join(root, 'api.github.com.json'));
    writeFileSync(
      path.join(root, 'api.yaml'),
      'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: github\n  annotations:\n    portico.dev/openapi-file: api.github.com.json\nspec:\n  openApiSpec:\n    path: /openapi.json\n',
    );
    // Count independently of the loader, straight from the JSON.
    const raw = JSON.parse(readFileSync(specPath, 'utf8')) as Record<string, any>;
    const expectedOps = Object.values(raw.paths as Record<string, Record<string, unknown>>).reduce((n, item) => n + HTTP_METHODS.filter((m) => m in item).length, 0);
    // GitHub's 3.0 document keeps webhooks under `x-webhooks`; the upgrade to 3.1 makes them `webhooks`.
    expect(raw.webhooks).toBeUndefined();
    const expectedWebhooks = Object.values(raw['x-webhooks'] as Record<string, Record<string, unknown>>).reduce((n, item) => n + HTTP_METHODS.filter((m) => m in item).length, 0);

    const catalog = await loadCatalog(root);
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const version = catalog.apis[0]!.versions[0]!;
    expect(version.operations.length).toBe(expectedOps);
    expect(version.operations.length).toBeGreaterThan(1000);
    expect(expectedWebhooks).toBeGreaterThan(100);
    expect(version.webhooks.length).toBe(expectedWebhooks);
    expect(new Set(version.operations.map((o) => o.operationId)).size).toBe(expectedOps);
    expect(version.schemaNames.length).toBe(Object.keys((raw as any).components.schemas).length);
    expect(version.servers[0]!.url).toBe('https://api.github.com');
  });
});
