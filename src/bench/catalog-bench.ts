import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';
import { median, type SectionTable } from './report.ts';
import type { BenchWork } from './work.ts';

interface LoadFigure {
  ms: number;
  peakRssMb: number;
  operations: number;
  specs: number;
  specsFromCache: number;
  errors: number;
}

/** Loads a catalog in a child process (through tsx, like the CLI) and returns its own figures. */
function measureLoad(projectRoot: string, root: string, cacheDir: string): LoadFigure {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/bench/catalog-child.ts'), root, cacheDir], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new PorticoError(`the benchmark child failed: ${child.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(child.stdout) as LoadFigure;
}

export interface CatalogRow {
  name: string;
  runs: number;
  medianMs: number;
  peakRssMb: number;
  operations: number;
  note: string;
}

/**
 * traefik-airlines as a whole repository, read through kustomize (decision record 11): cold, every
 * kustomization rendered by kubectl or kustomize; cached, the renders and specs from the data
 * directory's cache.
 */
export function benchAirlines(bench: (name: string, root: string, cached: boolean, note: string) => void, projectRoot: string): void {
  const root = path.join(projectRoot, 'tests/fixtures/real/traefik-airlines');
  bench('traefik-airlines through kustomize, cold', root, false, 'renders flux/management and its Helm dependency with kustomize');
  bench('traefik-airlines through kustomize, cached', root, true, 'unchanged kustomizations: renders from the cache');
}

/** Catalog loads: the GitHub REST description cold and from the content-hash cache, the demo content, and traefik-airlines through kustomize. */
export function benchCatalog(work: BenchWork): { table: SectionTable; results: CatalogRow[] } {
  const require = createRequire(import.meta.url);
  const githubRoot = path.join(work.dir, 'catalog-github');
  mkdirSync(githubRoot, { recursive: true });
  copyFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), path.join(githubRoot, 'api.github.com.json'));
  writeFileSync(
    path.join(githubRoot, 'api.yaml'),
    'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: github\n  annotations:\n    portico.dev/openapi-file: api.github.com.json\nspec:\n  openApiSpec:\n    path: /openapi.json\n',
  );
  const rows: CatalogRow[] = [];
  const bench = (name: string, root: string, cached: boolean, note: string) => {
    console.log(`portico bench: catalog load, ${name}`);
    const runs = 3;
    const figures: LoadFigure[] = [];
    const cacheDir = path.join(work.dir, `catalog-cache-${rows.length}`);
    if (cached) measureLoad(work.root, root, cacheDir); // warm the cache once
    for (let i = 0; i < runs; i++) {
      if (!cached) rmSync(cacheDir, { recursive: true, force: true });
      figures.push(measureLoad(work.root, root, cached ? cacheDir : ''));
    }
    const errors = figures[0]!.errors;
    if (errors > 0) throw new PorticoError(`${name}: the catalog has ${errors} errors; the benchmark measures clean content only`);
    rows.push({
      name,
      runs,
      medianMs: Math.round(median(figures.map((f) => f.ms))),
      peakRssMb: Math.round(Math.max(...figures.map((f) => f.peakRssMb))),
      operations: figures[0]!.operations,
      note,
    });
  };
  bench('GitHub REST description, cold', githubRoot, false, 'no cache: parse, validate, upgrade to 3.1');
  bench('GitHub REST description, warm', githubRoot, true, 'unchanged spec served by the content-hash cache');
  bench('demo content, cold', path.join(work.root, 'content'), false, 'every API, plan and guide of content/');
  benchAirlines(bench, work.root);
  return {
    table: {
      title: 'Catalog load (each run in a fresh process; median of 3)',
      header: ['benchmark', 'median wall', 'peak RSS', 'operations', 'anchor / note'],
      rows: rows.map((r) => [r.name, `${(r.medianMs / 1000).toFixed(2)} s`, `${r.peakRssMb} MB`, r.operations.toLocaleString('en'), r.note]),
      notes: ['Anchor (issue 2): "loads in a few seconds and well under 1 GB of memory".'],
    },
    results: rows,
  };
}
