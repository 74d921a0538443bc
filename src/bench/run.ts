import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';
import { projectRevision, projectRoot, snapshotProject, snapshotRevision } from './build.ts';
import { chromiumVersion } from './chromium.ts';
import { formatMarkdownTable, printSection, type SectionTable } from './report.ts';
import type { BenchOptions, BenchWork } from './work.ts';

/** The sections, in the order a full run takes them. */
export const SECTIONS = ['catalog', 'site', 'weight', 'provisioning', 'island', 'follow'] as const;

const USAGE = `Usage: npm run bench -- [--only <section>[,<section>...]] [--specs <n>] [--duration <seconds>]
  sections: ${SECTIONS.join(', ')} (default: all)
  --specs     OpenAPI Directory specs in the docs build (default 200)
  --duration  seconds of each load test (default 10)
  --baseline  a commit (e.g. main~3) whose code the provisioning section also runs, alternating with
              this one, for figures before and after a change from the same run (its packages are
              this checkout's node_modules)`;

/** Reads the bench flags; every mistake is a message that says which flag and what it takes. */
export function parseBenchArgs(args: string[]): BenchOptions {
  const options: BenchOptions = { sections: [...SECTIONS], specs: 200, duration: 10 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith('--')) throw new PorticoError(`${flag} needs a value`, USAGE);
      return v;
    };
    const count = (min: number, max: number) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new PorticoError(`${flag} takes a whole number from ${min} to ${max}, not "${v}"`, USAGE);
      return n;
    };
    if (flag === '--only') {
      const wanted = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = wanted.find((s) => !(SECTIONS as readonly string[]).includes(s));
      if (unknown) throw new PorticoError(`--only names "${unknown}"; the sections are ${SECTIONS.join(', ')}`, USAGE);
      options.sections = SECTIONS.filter((s) => wanted.includes(s));
    } else if (flag === '--specs') options.specs = count(1, 2000);
    else if (flag === '--duration') options.duration = count(1, 600);
    else if (flag === '--baseline') options.baseline = value();
    else throw new PorticoError(`unknown flag "${arg}"`, USAGE);
  }
  return options;
}

/** `npm run bench`: runs the chosen sections, prints each table, and writes bench-results/results.json. */
export async function runBench(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const options = parseBenchArgs(args);
  const started = new Date();
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-bench-'));
  const revision = projectRevision();
  const work: BenchWork = { dir, root: snapshotProject(path.join(dir, 'project')), options };
  if (options.baseline) work.baseline = snapshotRevision(options.baseline, path.join(dir, 'baseline-project'));
  const machine = {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    chromium: chromiumVersion(),
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
  console.log(
    `portico bench: ${options.sections.join(', ')} on ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.chromium} (load average ${machine.loadAverageAtStart.join(' ')})`,
  );
  const tables: SectionTable[] = [];
  const results: Record<string, unknown> = {};
  const timings: Record<string, number> = {};
  try {
    for (const section of options.sections) {
      const t0 = performance.now();
      const out = await runSection(section, work);
      timings[section] = Math.round(performance.now() - t0);
      tables.push(out.table);
      results[section] = out.results;
      printSection(out.table);
      console.log('');
    }
  } finally {
    rmSync(work.dir, { recursive: true, force: true });
  }
  const wallMs = Date.now() - started.getTime();
  const outDir = path.join(projectRoot, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'results.json');
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  writeFileSync(
    file,
    `${JSON.stringify({ date: started.toISOString(), command, revision, wallMs, sectionMs: timings, machine: { ...machine, loadAverageAtEnd: loadavg().map((n) => Number(n.toFixed(2))) }, options, tables, results }, null, 2)}\n`,
  );
  writeFileSync(path.join(outDir, 'results.md'), `${tables.map((t) => `### ${t.title}\n\n${formatMarkdownTable(t.header, t.rows)}\n\n${t.notes.map((n) => `- ${n}`).join('\n')}`).join('\n\n')}\n`);
  console.log(
    `\nportico bench: done in ${(wallMs / 1000).toFixed(0)} s (${Object.entries(timings)
      .map(([s, t]) => `${s} ${(t / 1000).toFixed(0)} s`)
      .join(', ')}).`,
  );
  console.log(`Figures written to ${path.relative(process.cwd(), file)} (tables also as Markdown in results.md).`);
  return 0;
}

async function runSection(section: string, work: BenchWork): Promise<{ table: SectionTable; results: unknown }> {
  switch (section) {
    case 'catalog':
      return (await import('./catalog-bench.ts')).benchCatalog(work);
    case 'site':
      return (await import('./site-bench.ts')).benchSite(work);
    case 'weight':
      return (await import('./weight-bench.ts')).benchWeight(work);
    case 'provisioning':
      return (await import('./provisioning-bench.ts')).benchProvisioning(work);
    case 'island':
      return (await import('./island-bench.ts')).benchIsland(work);
    case 'follow':
      return (await import('./follow-bench.ts')).benchFollow(work);
    default:
      throw new PorticoError(`no section "${section}"`);
  }
}
