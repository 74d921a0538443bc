import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { PorticoError } from '../lib/errors.ts';
import { vendorFiles } from '../lib/docs/vendor.ts';
import { launchChromium } from './chromium.ts';
import { fileFromDisk, startFrontServer, type FrontServer, type StaticFile } from './front-server.ts';
import { startBuiltPortal } from './portal-process.ts';
import { kb, ms, ratio, type SectionTable } from './report.ts';
import { ensureGithubSite } from './site-bench.ts';
import type { BenchWork } from './work.ts';

/** One page's figures: what it weighs (gzip, as the front server sent it) and Lighthouse's scores. */
export interface PageFigure {
  url: string;
  htmlBytes: number;
  jsBytes: number;
  totalBytes: number;
  requests: number;
  /** Requests to any host but the local server (should be none). */
  externalRequests: number;
  performance: number;
  accessibility: number;
  seo: number;
  lcpMs: number;
  tbtMs: number;
  warnings: string[];
}

/** The anchors' pages, as their own docs show them, with the spec served next to them. */
function anchorFiles(specFile: string): StaticFile[] {
  const [scalar, swaggerJs, swaggerCss] = vendorFiles();
  const head = (title: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>`;
  return [
    fileFromDisk('/anchor/github.json', 'application/json', specFile),
    fileFromDisk('/anchor/scalar/standalone.js', 'application/javascript', scalar!.from),
    fileFromDisk('/anchor/swagger/swagger-ui-bundle.js', 'application/javascript', swaggerJs!.from),
    fileFromDisk('/anchor/swagger/swagger-ui.css', 'text/css', swaggerCss!.from),
    {
      url: '/anchor/scalar/',
      type: 'text/html; charset=utf-8',
      // Scalar's standalone set-up, with its web fonts off: they come from Scalar's CDN, and no page here may reach out.
      body: `${head('GitHub REST API · Scalar')}</head><body><div id="app"></div><script src="/anchor/scalar/standalone.js"></script><script>Scalar.createApiReference('#app', { url: '/anchor/github.json', withDefaultFonts: false })</script></body></html>`,
    },
    {
      url: '/anchor/swagger/',
      type: 'text/html; charset=utf-8',
      body: `${head('GitHub REST API · Swagger UI')}<link rel="stylesheet" href="/anchor/swagger/swagger-ui.css"></head><body><div id="swagger-ui"></div><script src="/anchor/swagger/swagger-ui-bundle.js"></script><script>window.ui = SwaggerUIBundle({ url: '/anchor/github.json', dom_id: '#swagger-ui' })</script></body></html>`,
    },
  ];
}

/** Runs Lighthouse (default config: mobile, simulated throttling) on one page in a fresh Chromium. */
async function measurePage(front: FrontServer, pathname: string): Promise<PageFigure> {
  const chromium = await launchChromium();
  try {
    front.sentBytes.clear();
    const url = `${front.base}${pathname}`;
    const result = await lighthouse(url, { port: chromium.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'seo'], maxWaitForLoad: 120_000 });
    if (!result) throw new PorticoError(`Lighthouse gave no result for ${url}`);
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new PorticoError(`Lighthouse could not load ${url}: ${lhr.runtimeError.message}`);
    const items = (lhr.audits['network-requests']?.details as { items?: Array<{ url: string; resourceType?: string }> } | undefined)?.items ?? [];
    let htmlBytes = 0;
    let jsBytes = 0;
    let totalBytes = 0;
    let externalRequests = 0;
    for (const item of items) {
      const u = new URL(item.url);
      if (u.origin !== front.base) {
        if (u.protocol.startsWith('http')) externalRequests++;
        continue;
      }
      const bytes = front.sentBytes.get(u.pathname) ?? 0;
      totalBytes += bytes;
      if (item.resourceType === 'Document') htmlBytes += bytes;
      if (item.resourceType === 'Script') jsBytes += bytes;
    }
    const score = (c: string) => Math.round((lhr.categories[c]?.score ?? Number.NaN) * 100);
    return {
      url: pathname,
      htmlBytes,
      jsBytes,
      totalBytes,
      requests: items.length,
      externalRequests,
      performance: score('performance'),
      accessibility: score('accessibility'),
      seo: score('seo'),
      lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN,
      tbtMs: lhr.audits['total-blocking-time']?.numericValue ?? Number.NaN,
      warnings: lhr.runWarnings ?? [],
    };
  } finally {
    await chromium.stop();
  }
}

/** An operation page of the GitHub API: `repos/get` (GET /repos/{owner}/{repo}) when it is there. */
function githubOperationPath(clientDir: string): string {
  const apiDir = path.join(clientDir, 'apis', 'github');
  const version = readdirSync(apiDir, { withFileTypes: true }).find((d) => d.isDirectory() && readdirSync(path.join(apiDir, d.name)).includes('operations'));
  if (!version) throw new PorticoError(`the GitHub site has no operation pages under ${apiDir}`);
  const ops = readdirSync(path.join(apiDir, version.name, 'operations')).sort();
  const op = ops.find((o) => o === 'repos-get' || o === 'repos/get') ?? ops[Math.floor(ops.length / 2)]!;
  return `/apis/github/${version.name}/operations/${op}/`;
}

export interface WeightResults {
  pages: Record<string, PageFigure>;
}

/**
 * Page weight and Lighthouse scores of Portico's catalog, API and operation pages for the GitHub REST
 * API, beside the same spec in Scalar's standalone bundle and in Swagger UI, all through one server.
 */
export async function benchWeight(work: BenchWork): Promise<{ table: SectionTable; results: WeightResults }> {
  const site = await ensureGithubSite(work);
  const siteDir = path.join(site.dataDir, 'site');
  const require = createRequire(import.meta.url);
  const portal = await startBuiltPortal(work.root, siteDir, { PORTICO_DATA_DIR: site.dataDir, PORTICO_CONTENT_DIR: site.contentDir });
  const front = await startFrontServer(anchorFiles(require.resolve('@octokit/openapi/generated/api.github.com.json')), portal.base);
  const pages: Record<string, PageFigure> = {};
  try {
    const targets: Array<[string, string]> = [
      ['Portico catalog', '/'],
      ['Portico API page', '/apis/github/'],
      ['Portico operation page', githubOperationPath(path.join(siteDir, 'client'))],
      ['Scalar', '/anchor/scalar/'],
      ['Swagger UI', '/anchor/swagger/'],
    ];
    for (const [name, pathname] of targets) {
      console.log(`portico bench: Lighthouse, ${name} (${pathname})`);
      pages[name] = await measurePage(front, pathname);
    }
  } finally {
    await front.close();
    await portal.stop();
  }
  const rows: string[][] = [];
  const metric = (label: string, pick: (p: PageFigure) => number, format: (n: number) => string) => {
    const scalar = pick(pages.Scalar!);
    const swagger = pick(pages['Swagger UI']!);
    for (const name of ['Portico catalog', 'Portico API page', 'Portico operation page']) {
      const own = pick(pages[name]!);
      rows.push([label, name.replace('Portico ', ''), format(own), format(scalar), ratio(own, scalar), format(swagger), ratio(own, swagger)]);
    }
  };
  metric('HTML (gzip)', (p) => p.htmlBytes, kb);
  metric('JS (gzip)', (p) => p.jsBytes, kb);
  metric('all bytes (gzip)', (p) => p.totalBytes, kb);
  metric('LCP (simulated)', (p) => p.lcpMs, ms);
  metric('TBT (simulated)', (p) => p.tbtMs, ms);
  metric('Lighthouse performance', (p) => p.performance, String);
  metric('Lighthouse accessibility', (p) => p.accessibility, String);
  metric('Lighthouse SEO', (p) => p.seo, String);
  const external = Object.entries(pages)
    .filter(([, p]) => p.externalRequests > 0)
    .map(([n, p]) => `${n}: ${p.externalRequests}`);
  const warnings = Object.entries(pages).flatMap(([n, p]) => p.warnings.map((w) => `${n}: ${w}`));
  return {
    table: {
      title: 'Page weight and Lighthouse (GitHub REST API; Portico beside Scalar and Swagger UI)',
      header: ['figure', 'Portico page', 'Portico', 'Scalar', 'ratio', 'Swagger UI', 'ratio'],
      rows,
      notes: [
        `Portico pages: ${Object.entries(pages)
          .filter(([n]) => n.startsWith('Portico'))
          .map(([n, p]) => `${n.replace('Portico ', '')} ${p.url}`)
          .join(', ')}.`,
        'Scalar and Swagger UI each render the whole spec on one page (the same 13 MB api.github.com.json), so each Portico page is set beside that one page.',
        'Every page goes through one local server that gzips every text answer at level 6; bytes are the gzip bodies it sent for the requests Lighthouse saw (inline scripts count as HTML).',
        'Lighthouse 13 default config: mobile emulation, simulated throttling (slow 4G, 4x CPU); one run per page, each in a fresh Chromium profile.',
        external.length ? `Requests to other hosts (failed, no network): ${external.join('; ')}.` : 'No page asked any other host.',
        ...warnings.map((w) => `Lighthouse warning, ${w}`),
      ],
    },
    results: { pages },
  };
}
