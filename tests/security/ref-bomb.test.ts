import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { buildDocsSite } from '../../src/lib/docs/site.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * A `$ref` fan-out bomb: each level is a schema in components/schemas that uses the level below
 * twice, so n levels are 2^n copies once inlined. A 2 KB spec must not take the build down: it is
 * reported as too complex, where its budget ran out, and every other API still loads.
 * Two layouts: the levels in a second file (the bundler inlines $refs to other files, and that is
 * where the copies are made), and all in one file (local $refs stay references; the pages link to
 * the named schemas instead of expanding them).
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-ref-bomb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Across files, a bare schema `$ref` is hoisted into components (named, never copied: issue 18, item 2);
// a `$ref` with a sibling keyword is merged where it stands, so that is where copies are still made.
const ref = (file: string, level: number, layout: 'two-files' | 'one-file' = 'one-file') =>
  layout === 'two-files' ? `{$ref: '${file}#/components/schemas/L${level}', description: 'level ${level}'}` : `{$ref: '${file}#/components/schemas/L${level}'}`;

/** Writes an API named `name` into `content/apis/<name>/` whose spec is a bomb of `levels` levels. */
function writeBomb(content: string, name: string, levels: number, layout: 'two-files' | 'one-file'): void {
  const dir = path.join(content, 'apis', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'api.yaml'),
    ['apiVersion: hub.traefik.io/v1alpha1', 'kind: API', 'metadata:', `  name: ${name}`, '  namespace: shop', 'spec:', `  title: ${name}`, '  openApiSpec:', '    path: /openapi.yaml', ''].join('\n'),
  );
  const schemasFile = layout === 'two-files' ? 'schemas.yaml' : '';
  const levelLines = ['    L0: {type: string}'];
  for (let i = 1; i <= levels; i++) levelLines.push(`    L${i}: {type: object, properties: {left: ${ref('', i - 1, layout)}, right: ${ref('', i - 1, layout)}}}`);
  const root = [
    'openapi: 3.0.3',
    `info: {title: ${name}, version: 1.0.0}`,
    'servers: [{url: "https://api.example.test/bomb"}]',
    'paths:',
    '  /tree:',
    '    get:',
    '      operationId: getTree',
    '      responses:',
    "        '200':",
    '          description: the tree',
    '          content:',
    `            application/json: {schema: ${ref(schemasFile, levels, layout)}}`,
    ...(layout === 'one-file' ? ['components:', '  schemas:', ...levelLines] : []),
    '',
  ];
  writeFileSync(path.join(dir, 'openapi.yaml'), root.join('\n'));
  if (layout === 'two-files') writeFileSync(path.join(dir, 'schemas.yaml'), ['components:', '  schemas:', ...levelLines, ''].join('\n'));
}

/** A copy of the hub-basic fixture (its one API, parcels, is the good one) plus what `setup` adds. */
function contentWith(label: string, setup: (content: string) => void): string {
  const content = path.join(work, label, 'content');
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
  setup(content);
  return content;
}

/** Runs `portico catalog` on `content` and waits for it to end, killing it past `ceilingMs`. */
async function runCatalog(content: string, ceilingMs = 60_000): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'catalog', '--no-cache', content], {
    cwd: work,
    env: { ...process.env, NO_COLOR: '1', PORTICO_DATA_DIR: path.join(work, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ceilingMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output, ms: Date.now() - started };
}

describe('a $ref fan-out bomb in the catalog', () => {
  it.each([22, 26])(
    'with %i levels in a second file: portico catalog ends soon, reports it as too complex at the $ref where the budget ran out, and lists the good API',
    async (levels) => {
      const content = contentWith(`two-files-${levels}`, (c) => writeBomb(c, 'bomb', levels, 'two-files'));
      const run = await runCatalog(content);
      expect(run.code, `exit code after ${run.ms} ms:\n${run.output.slice(-2000)}`).toBe(1);
      const found = /(apis\/bomb\/schemas\.yaml):(\d+):\d+\s+error\s+openapi\s+this OpenAPI document is too complex[^\n]*/.exec(run.output);
      expect(found, run.output).not.toBeNull();
      // The line named is a line of that file holding a $ref (one of the levels), not the file's top.
      const line = readFileSync(path.join(content, found![1]!), 'utf8').split('\n')[Number(found![2]) - 1]!;
      expect(line).toMatch(/^ {4}L\d+: .*\$ref/);
      expect(found![0]).toMatch(/\$ref "#\/components\/schemas\/L\d+"/);
      // Reported once, not once per copy; no engine error reaches the reader.
      expect(run.output.match(/too complex/g)!.length).toBeLessThanOrEqual(3);
      expect(run.output).not.toMatch(/RangeError|Map maximum size|heap out of memory|internal error|\n\s+at /);
      // The other API still loads, with every operation.
      expect(run.output).toMatch(/shop\/parcels {2}Parcels[^\n]*\n {4}parcels 1\.3\.0 {2}4 operations/);
    },
    90_000,
  );

  it.each([22, 26])('with %i levels in one file: local $refs are not copied, so the API loads as it is, with its operation', async (levels) => {
    const content = contentWith(`one-file-${levels}`, (c) => writeBomb(c, 'tree', levels, 'one-file'));
    const run = await runCatalog(content);
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.output).toMatch(new RegExp(`shop/tree {2}tree[^\\n]*\\n {4}tree 1\\.0\\.0 {2}1 operations, ${levels + 1} schemas`));
    expect(run.output).toMatch(/shop\/parcels {2}Parcels[^\n]*\n {4}parcels 1\.3\.0 {2}4 operations/);
  });
});

describe('a bomb just under the budget', () => {
  it('16 levels in a second file (2^16 inlined copies) load, and the operation page shows a cut tree and a cut example', async () => {
    const content = contentWith('under-budget', (c) => {
      writeBomb(c, 'bomb', 16, 'two-files');
      writeFileSync(
        path.join(c, 'apis/bomb/item.yaml'),
        ['apiVersion: hub.traefik.io/v1alpha1', 'kind: APICatalogItem', 'metadata:', '  name: bombs', '  namespace: shop', 'spec:', '  everyone: true', '  apis:', '    - name: bomb', ''].join('\n'),
      );
    });
    const catalog = await loadCatalog(content);
    expect(catalog.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const site = buildDocsSite(catalog);
    const api = site.apis.find((a) => a.api.key === 'shop/bomb')!;
    const version = api.versions[0]!;
    expect(version.operations.map((op) => op.operationId)).toEqual(['getTree']);
    const started = Date.now();
    const view = buildOperationView(api, version, version.operations[0]!);
    // The inlined levels have no names to link to: the tree stops at its node and depth budget.
    let nodes = 0;
    const count = (node: { children?: unknown[] }): void => {
      nodes++;
      for (const child of (node.children ?? []) as Array<{ children?: unknown[] }>) count(child);
    };
    const tree = view.responses
      .flatMap((r) => r.content)
      .map((m) => m.tree)
      .find((t) => t !== undefined)!;
    count(tree);
    expect(nodes).toBeGreaterThan(10);
    expect(nodes).toBeLessThanOrEqual(2_100);
    expect(JSON.stringify(view).length).toBeLessThan(1_000_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('a portal whose content holds $ref bombs', () => {
  let portal: RunningPortal;

  beforeAll(async () => {
    const content = contentWith('portal', (c) => {
      writeBomb(c, 'bomb', 26, 'two-files');
      writeBomb(c, 'tree', 22, 'one-file');
      // Offered to everyone with every operation, so the build renders the one-file tree's pages.
      writeFileSync(
        path.join(c, 'apis/tree/item.yaml'),
        ['apiVersion: hub.traefik.io/v1alpha1', 'kind: APICatalogItem', 'metadata:', '  name: trees', '  namespace: shop', 'spec:', '  everyone: true', '  apis:', '    - name: tree', ''].join('\n'),
      );
    });
    portal = await startPortal({ PORTICO_CONTENT_DIR: content });
  }, 300_000);
  afterAll(async () => portal?.stop());

  const page = async (route: string) => {
    const res = await fetch(`${portal.base}${route}`);
    return { status: res.status, text: await res.text() };
  };

  it('builds and serves the good API page, and says where the bomb is too complex', async () => {
    const parcels = await page('/apis/parcels/');
    expect(parcels.status).toBe(200);
    expect(parcels.text).toContain('Parcels');
    expect(portal.output()).toMatch(/apis\/bomb\/schemas\.yaml:\d+:\d+\s+error\s+openapi\s+this OpenAPI document is too complex/);
  });

  it('shows the one-file tree with links to its named schemas, not expanded 2^22 times', async () => {
    const operation = await page('/apis/tree/tree/operations/getTree/');
    expect(operation.status, operation.text.slice(0, 500)).toBe(200);
    expect(operation.text).toContain('schemas/L22/');
    // The page stays a page: a few levels expanded, then links.
    expect(operation.text.length).toBeLessThan(500_000);
    const schema = await page('/apis/tree/tree/schemas/L22/');
    expect(schema.status).toBe(200);
    expect(schema.text).toContain('schemas/L21/');
  });

  it('is still running and answering afterwards', async () => {
    expect((await page('/apis/parcels/')).status).toBe(200);
    expect(portal.output()).not.toMatch(/RangeError|Map maximum size|heap out of memory|\n\s+at /);
  });
});
