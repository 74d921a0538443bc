import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/portal.ts';

// Builds run in child processes, as `npm run build` would, into a folder inside the project
// (the built server resolves its packages from the project's node_modules).
const work = mkdtempSync(path.join(tmpdir(), 'portico-incremental-'));
const content = path.join(work, 'content');
const dataDir = path.join(work, 'data');
const outDir = path.join(projectRoot, '.data', `test-incremental-${process.pid}`);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

function build(): string {
  // `portico build`: the Astro build, then the search index once that build's process has ended.
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'build', '--out', outDir], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, PORTICO_CONTENT_DIR: content, PORTICO_DATA_DIR: dataDir, PORTICO_OFFLINE: '1', ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) visit(full);
      else files.set(path.relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  visit(dir);
  return files;
}

describe('incremental site builds', () => {
  it('re-render only the API whose spec changed, and keep every other page as it was', () => {
    cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
    cpSync(path.join(projectRoot, 'tests/fixtures/catalog/versioned/apis'), path.join(content, 'orders'), { recursive: true });
    // Offer the orders API to everyone, so both APIs are in the public site.
    writeFileSync(
      path.join(content, 'orders-item.yaml'),
      'apiVersion: hub.traefik.io/v1alpha1\nkind: APICatalogItem\nmetadata:\n  name: orders-public\n  namespace: shop\nspec:\n  everyone: true\n  apis:\n    - name: orders\n',
    );

    const first = build();
    expect(first).toMatch(/APIs rendered: 2 \((orders, parcels|parcels, orders)\); reused unchanged from the last build: 0/);
    const before = snapshot(path.join(outDir, 'client/apis'));

    const second = build();
    expect(second).toContain('APIs rendered: 0; reused unchanged from the last build: 2');
    expect(snapshot(path.join(outDir, 'client/apis'))).toEqual(before);

    const spec = path.join(content, 'apis/parcels/openapi.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('summary: Get a parcel', 'summary: Look up one parcel'));
    const third = build();
    expect(third).toContain('APIs rendered: 1 (parcels); reused unchanged from the last build: 1');
    const after = snapshot(path.join(outDir, 'client/apis'));
    for (const [file, text] of before) {
      if (file.startsWith('orders/')) expect(after.get(file), file).toBe(text);
    }
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(after.get('parcels/parcels/operations/getParcel/index.html')).toContain('Look up one parcel');
    // The search index covers the reused pages too.
    expect(third).toMatch(/site built in [\d.]+ s: \d+ pages indexed for search/);
  }, 240_000);
});
