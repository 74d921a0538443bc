import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { porticoApiDocument } from '../../src/lib/api/openapi.ts';
import { validateOpenApiDocument } from '../../src/lib/catalog/openapi-schema.ts';

const apiDir = path.resolve(import.meta.dirname, '../../src/pages/api/v1');

function routeFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, `${prefix}/${name}`);
    // The catch-all answers 404 for addresses no endpoint has (checked below): it is not an endpoint.
    if (name === '[...path].ts') return [];
    return [`${prefix}/${name.replace(/\.ts$/, '')}`.replace(/\[(\w+)\]/g, '{$1}')];
  });
}

describe('the OpenAPI document of the Portico API', () => {
  const doc = porticoApiDocument('https://portal.example.test');

  it('is valid OpenAPI 3.1', () => {
    expect(validateOpenApiDocument(doc)).toEqual([]);
  });

  it('describes every route under /api/v1, and nothing that does not exist', () => {
    const documented = Object.keys(doc.paths as object).sort();
    expect(routeFiles(apiDir).sort()).toEqual(documented);
  });

  it('leaves out the catch-all, which only says that there is no such endpoint', () => {
    expect(statSync(path.join(apiDir, '[...path].ts')).isFile()).toBe(true);
    expect(Object.keys(doc.paths as object).some((p) => p.includes('...'))).toBe(false);
  });
});
