import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PorticoError } from '../lib/errors.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface LoadFigure {
  ms: number;
  peakRssMb: number;
  operations: number;
  specs: number;
  specsFromCache: number;
  errors: number;
}

/** Loads a catalog in a child process (through tsx, like the CLI) and returns its own figures. */
function measureLoad(root: string, cacheDir: string): LoadFigure {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/bench/catalog-child.ts'), root, cacheDir], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new PorticoError(`the benchmark child failed: ${child.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(child.stdout) as LoadFigure;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `npm run bench`: prints benchmark figures as a table and writes them to bench-results/. */
export async function runBench(_args: string[]): Promise<number> {
  const require = createRequire(import.meta.url);
  const work = mkdtempSync(path.join(tmpdir(), 'portico-bench-'));
  try {
    const githubRoot = path.join(work, 'github');
    mkdirSync(githubRoot);
    copyFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), path.join(githubRoot, 'api.github.com.json'));
    writeFileSync(
      path.join(githubRoot, 'api.yaml'),
      'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: github\n  annotations:\n    portico.dev/openapi-file: api.github.com.json\nspec:\n  openApiSpec:\n    path: /openapi.json\n',
    );
    const rows: Array<{ name: string; runs: number; medianMs: number; peakRssMb: number; operations: number; note: string }> = [];
    const bench = (name: string, root: string, cached: boolean, note: string) => {
      const runs = 3;
      const figures: LoadFigure[] = [];
      const cacheDir = path.join(work, `cache-${rows.length}`);
      if (cached) measureLoad(root, cacheDir); // warm the cache once
      for (let i = 0; i < runs; i++) {
        if (!cached) rmSync(cacheDir, { recursive: true, force: true });
        figures.push(measureLoad(root, cached ? cacheDir : ''));
      }
      const errors = figures[0]!.errors;
      if (errors > 0) throw new PorticoError(`${name}: the catalog has ${errors} errors; the benchmark measures clean content only`);
      rows.push({
        name, runs,
        medianMs: Math.round(median(figures.map((f) => f.ms))),
        peakRssMb: Math.round(Math.max(...figures.map((f) => f.peakRssMb))),
        operations: figures[0]!.operations,
        note,
      });
    };
    console.log('portico bench: catalog load (each run in a fresh process; median of 3)\n');
    bench('GitHub REST description, cold', githubRoot, false, 'no cache: parse, validate, upgrade to 3.1');
    bench('GitHub REST description, warm', githubRoot, true, 'unchanged spec served by the content-hash cache');
    bench('demo content, cold', path.join(projectRoot, 'content'), false, 'every API, plan and guide of content/');
    const header = ['benchmark', 'median wall', 'peak RSS', 'operations', 'note'];
    const table = rows.map((r) => [r.name, `${(r.medianMs / 1000).toFixed(2)} s`, `${r.peakRssMb} MB`, String(r.operations), r.note]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of table) console.log(line(row));
    console.log('\nAnchor (issue 2): "loads in a few seconds and well under 1 GB of memory".');
    const outDir = path.join(projectRoot, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'catalog.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
    console.log(`Figures written to ${path.relative(process.cwd(), path.join(outDir, 'catalog.json'))}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
