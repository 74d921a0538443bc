import { mkdirSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEMO_GATEWAY_ORIGINS } from '../lib/catalog/demo-servers.ts';
import { takeSpecUrls } from '../lib/catalog/build-catalog.ts';
import { loadCatalog } from '../lib/catalog/load.ts';
import { summariseCatalog } from '../lib/catalog/summary.ts';
import { loadConfig, type Config } from '../lib/config.ts';
import { protectDataDir } from '../lib/data-dir.ts';
import { PorticoError } from '../lib/errors.ts';
import { linkProjectModules } from '../lib/node-modules-link.ts';
import { BUILD_INFO_FILE, contentFingerprint, writeBuildInfo } from '../lib/server/site-build-info.ts';
import { decideReuse, siteInputs } from '../lib/server/site-reuse.ts';
import { runDocsBuild } from './docs-build.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a build goes by default: the data directory's `site/`, the folder `portico serve` reads. */
export function defaultSiteDir(config: Config): string {
  return path.join(config.dataDir, 'site');
}

/**
 * Builds the docs of `config.contentDir` into `outDir`: the static pages (`client/`) and the server
 * bundle (`server/entry.mjs`). Shared by `portico build` and `portico start`. With `reuse` (what
 * `portico start` asks), a site already in `outDir` that was built from the same content, settings
 * and code is served as it is: a restart with nothing changed builds nothing.
 */
export async function buildSite(config: Config, outDir: string, options: { reuse?: boolean } = {}): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true });
  protectDataDir(config.dataDir); // 0700, and umask 077 for everything written from here on
  process.env.ASTRO_TELEMETRY_DISABLED = '1'; // the portal phones nowhere
  process.env.PORTICO_CONTENT_DIR = config.contentDir;
  process.env.PORTICO_DATA_DIR = config.dataDir;
  // The built server finds its packages by walking up from its own folder (see linkDependencies).
  linkDependencies(path.dirname(path.resolve(outDir)));
  // The fingerprint is taken before the build reads the folder; a follower that copied the content passes its own.
  const fingerprint = process.env.PORTICO_BUILD_FINGERPRINT || contentFingerprint(config.contentDir, [config.git.directory]);
  const inputs = siteInputs(config, projectRoot);
  const decision = options.reuse ? decideReuse(outDir, fingerprint, inputs, config.offline) : { reuse: false as const };
  if (decision.reuse) {
    console.log(`portico: serving the site built ${decision.info.builtAt} from ${config.contentDir}: nothing it is made from changed (\`portico start --rebuild\` builds it again)`);
    return;
  }
  console.log(`portico: building the docs from ${config.contentDir}${decision.why ? ` (${decision.why})` : ''}`);
  if (config.demoGatewayUrl && !DEMO_GATEWAY_ORIGINS.includes(config.demoGatewayUrl)) {
    console.log(`portico: servers the content gives at ${DEMO_GATEWAY_ORIGINS.join(' or ')} are shown and called at ${config.demoGatewayUrl}, where the demo gateway answers`);
  }
  writableDotAstro();
  // The build info is written last, once the site is whole: a build stopped midway leaves a site that is never reused.
  rmSync(path.join(outDir, BUILD_INFO_FILE), { force: true });
  try {
    // Vite's own cache too goes to the data directory, not node_modules/.vite: the image's project is read-only.
    await runDocsBuild({ root: projectRoot, outDir, cacheDir: path.join(config.dataDir, 'cache', 'astro'), vite: { cacheDir: path.join(config.dataDir, 'cache', 'vite') }, logLevel: 'warn' });
    const specUrls = takeSpecUrls(outDir);
    writeBuildInfo(outDir, {
      contentFingerprint: fingerprint,
      inputs,
      ...(specUrls.length ? { specUrls } : {}),
      commit: process.env.PORTICO_BUILD_COMMIT || undefined,
      builtAt: new Date().toISOString(),
    });
  } catch (err) {
    const message = (err as Error).message;
    const aboutContent = message.includes('content repository');
    throw new PorticoError(`the docs build failed: ${message}`, aboutContent ? 'run `npx portico catalog` to see every problem in the content repository' : undefined);
  }
}

/**
 * `portico build [--out DIR] [--strict]`: builds the portal once, for `portico serve` to serve as
 * many times as needed. Exit 1 when the build fails; with `--strict`, also when the content has
 * errors (the default build leaves failed APIs out and publishes the rest).
 */
export async function runBuildCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { out: { type: 'string' }, strict: { type: 'boolean' } } });
  } catch (err) {
    throw new PorticoError((err as Error).message, 'usage: portico build [--out DIR] [--strict]');
  }
  if (parsed.values.out !== undefined && !parsed.values.out.trim()) throw new PorticoError('--out needs a folder', 'for example: portico build --out site');
  const config = loadConfig();
  const outDir = path.resolve(parsed.values.out ?? defaultSiteDir(config));
  if (parsed.values.strict) {
    // Checked before building, so a strict build with errors never replaces the last good site.
    const summary = summariseCatalog(await loadCatalog(config.contentDir, { cacheDir: config.cacheDir, offline: config.offline, demoGatewayUrl: config.demoGatewayUrl }));
    if (summary.stats.errors > 0) {
      const left = summary.failedApis.map((f) => f.key);
      console.error(
        `portico build: the content repository has ${summary.stats.errors} error${summary.stats.errors === 1 ? '' : 's'}${left.length ? `; ${left.length} API${left.length === 1 ? '' : 's'} would be left out (${left.join(', ')})` : ''}; nothing was built (--strict)\n` +
          '  hint: run `npx portico lint` to see them, or build without --strict to publish what loads',
      );
      return 1;
    }
  }
  const started = Date.now();
  await buildSite(config, outDir);
  console.log(`portico: built in ${((Date.now() - started) / 1000).toFixed(1)} s into ${outDir}; serve it with \`portico serve${outDir === defaultSiteDir(config) ? '' : ` --site ${outDir}`}\``);
  return 0;
}

/**
 * The built server imports packages (react, the adapter) at run time, and Node finds them by
 * walking up from the file's own folder. A site folder outside the project gets a link to the
 * project's node_modules beside it (the data directory's, for the default `site/`), so that walk
 * succeeds; bundling every package into the build instead would break native ones (argon2) and
 * WebAssembly ones (PGlite).
 */
function linkDependencies(parentDir: string): void {
  if ((path.resolve(parentDir) + path.sep).startsWith(projectRoot + path.sep)) return;
  linkProjectModules(projectRoot, parentDir);
}

/**
 * Astro writes its generated types to `.astro/` in the project at every build. In the image the
 * project is read-only and `.astro` is a link to a folder under /tmp, made here when it is missing,
 * so a portal that follows a branch can build there (decision record 19).
 */
function writableDotAstro(): void {
  const dotAstro = path.join(projectRoot, '.astro');
  let target: string;
  try {
    target = path.resolve(projectRoot, readlinkSync(dotAstro));
  } catch {
    return; // a folder, or nothing yet: Astro makes it
  }
  mkdirSync(target, { recursive: true });
}
