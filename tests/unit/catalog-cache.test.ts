import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function copyFixture(name: string): { root: string; cacheDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-cache-'));
  temps.push(dir);
  const root = path.join(dir, 'content');
  cpSync(path.resolve(import.meta.dirname, '../fixtures/catalog', name), root, { recursive: true });
  return { root, cacheDir: path.join(dir, 'cache') };
}

describe('the content-hash cache', () => {
  it('serves an unchanged spec from the cache, with the same result', async () => {
    const { root, cacheDir } = copyFixture('multi-file');
    const first = await loadCatalog(root, { cacheDir });
    const second = await loadCatalog(root, { cacheDir });
    expect(first.stats).toMatchObject({ specs: 1, specsFromCache: 0 });
    expect(second.stats).toMatchObject({ specs: 1, specsFromCache: 1 });
    expect(second.apis[0]!.versions[0]!.operations).toEqual(first.apis[0]!.versions[0]!.operations);
    expect(second.apis[0]!.versions[0]!.spec!.document).toEqual(first.apis[0]!.versions[0]!.spec!.document);
    // Same spec, same identity: the hash and file list do not depend on whether the cache answered.
    expect(second.apis[0]!.versions[0]!.spec!.contentHash).toBe(first.apis[0]!.versions[0]!.spec!.contentHash);
    expect(second.apis[0]!.versions[0]!.spec!.files).toEqual(first.apis[0]!.versions[0]!.spec!.files);
  });

  it('rebuilds a spec when a file it references changes', async () => {
    const { root, cacheDir } = copyFixture('multi-file');
    await loadCatalog(root, { cacheDir });
    appendFileSync(path.join(root, 'specs/pets/more/owner.yaml'), '    phone:\n      type: string\n');
    const after = await loadCatalog(root, { cacheDir });
    expect(after.stats.specsFromCache).toBe(0);
    // owner.yaml's schema is hoisted into components as Owner (issue 18, item 2).
    expect(Object.keys((after.apis[0]!.versions[0]!.spec!.document.components as any).schemas.Owner.properties)).toEqual(['email', 'phone']);
  });

  it('keeps the diagnostics of a cached spec', async () => {
    const { root, cacheDir } = copyFixture('broken');
    const first = await loadCatalog(root, { cacheDir });
    const second = await loadCatalog(root, { cacheDir });
    expect(second.stats.specsFromCache).toBe(3);
    expect(second.diagnostics).toEqual(first.diagnostics);
  });
});
