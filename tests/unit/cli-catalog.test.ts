import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(projectRoot, 'tests/fixtures/catalog');

function portico(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PORTICO_DATA_DIR: path.join(projectRoot, '.data/test-cli') },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('portico catalog', () => {
  it('prints the normalised catalog as JSON and exits 0 on clean content', () => {
    const { code, stdout } = portico('catalog', path.join(fixtures, 'hub-basic'), '--json', '--no-cache');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.apis).toMatchObject([{ key: 'shop/parcels', versions: [{ name: 'parcels', release: '1.3.0', operations: 4, webhooks: 1, openapi: '3.1.0' }] }]);
    expect(summary.plans).toMatchObject([{ key: 'shop/bronze', limits: '100 requests per 10 seconds, 10,000 requests per day' }]);
    expect(summary.catalogItems.map((i: any) => i.visibility)).toEqual(['everyone', 'groups: partners']);
    expect(summary.bundles).toMatchObject([{ key: 'shop/parcels-by-label', apis: ['shop/parcels'] }]);
    expect(summary.portals).toMatchObject([{ key: 'shop/shop-portal' }]);
    expect(summary.guides).toHaveLength(2);
    expect(summary.stats).toMatchObject({ errors: 0, operations: 4 });
  });

  it('prints a readable summary with diagnostics and exits 1 on errors', () => {
    const { code, stdout, stderr } = portico('catalog', path.join(fixtures, 'broken'), '--no-cache');
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toContain('refs.yaml:11:11  error  reference  APICatalogItem dangling refers to APIPlan "gold"');
    expect(stdout).toMatch(/\d+ errors, \d+ warnings\n$/);
    expect(stdout).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('rejects an unknown option with a usage hint, not a stack trace', () => {
    const { code, stderr } = portico('catalog', '--jsn');
    expect(code).toBe(1);
    expect(stderr).toContain("Unknown option '--jsn'");
    expect(stderr).toContain('usage: portico catalog');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad setting by name', () => {
    const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'catalog'], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, PORT: 'not-a-port' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT="not-a-port"');
  });
});
