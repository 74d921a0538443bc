import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AstroIntegrationLogger } from 'astro';
import { loadConfig } from '../config.ts';
import { formatHumanDiagnostic as formatDiagnostic } from '../lint/formatters/human.ts';
import { loadCatalog } from './load.ts';
import type { Catalog } from './model.ts';
import { describeFailedApis, publishedCatalog } from './published.ts';

let pending: Promise<Catalog> | undefined;

/**
 * The catalog this build publishes (failed APIs left out), loaded once however many pages ask for it.
 * Module-level on purpose: it is build-time data, identical for every page, never per-request state.
 */
export function catalogForBuild(): Promise<Catalog> {
  pending ??= (async () => {
    const config = loadConfig();
    return publishedCatalog(await loadCatalog(config.contentDir, { cacheDir: config.cacheDir, offline: config.offline, demoGatewayUrl: config.demoGatewayUrl }));
  })();
  return pending;
}

/**
 * Says, at the start of a build, every problem of the content (grouped by file) and which APIs are
 * left out; stops the build when nothing loads. One broken API never hides the others (DESIGN.md
 * section 3): the build publishes what loads, and stops only when nothing does.
 */
export async function reportBuildCatalog(logger: AstroIntegrationLogger): Promise<void> {
  const catalog = await catalogForBuild();
  for (const d of catalog.diagnostics) {
    if (d.severity === 'error') logger.error(formatDiagnostic(d));
    else logger.warn(formatDiagnostic(d));
  }
  const errors = catalog.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0 && catalog.apis.length === 0) {
    throw new Error(`the content repository has ${errors} errors (listed above) and no API loads; fix them, or run \`npx portico catalog\` to see them`);
  }
  for (const line of describeFailedApis(catalog.failedApis, catalog.apis.length)) logger.warn(line);
  if (errors > 0) logger.warn(`the content repository has ${errors} errors (listed above); run \`npx portico lint\` to fail on them`);
}

/** Where a build leaves the spec URLs its content names, beside the site, for the build info (src/cli/build-command.ts). */
const SPEC_URLS_FILE = 'portico-spec-urls.json';

/** Called when the build is done: `siteDir` is the folder that holds `client/` and `server/`. */
export async function writeSpecUrls(siteDir: string): Promise<void> {
  writeFileSync(path.join(siteDir, SPEC_URLS_FILE), JSON.stringify((await catalogForBuild()).specUrls ?? []));
}

/** The spec URLs the build in `siteDir` wrote, read once: the file is removed. */
export function takeSpecUrls(siteDir: string): string[] {
  const file = path.join(siteDir, SPEC_URLS_FILE);
  if (!existsSync(file)) return [];
  const urls = JSON.parse(readFileSync(file, 'utf8')) as string[];
  rmSync(file);
  return urls;
}
