// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import node from '@astrojs/node';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { reportBuildCatalog, writeSpecUrls } from './src/lib/catalog/build-catalog.ts';
import { finishApiPages, rendererFingerprint } from './src/lib/docs/page-cache.ts';
import { copyVendorFiles } from './src/lib/docs/vendor.ts';
import { writePageCspFile } from './src/lib/http/security-headers.ts';

const buildStarted = Date.now();
const projectRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Restores the reused pages and copies the interactive views' bundles once the static pages exist.
 * The search index is written after this build's process has ended (src/cli/docs-build.ts).
 */
const pagefindIntegration = {
  name: 'portico-search-index',
  hooks: {
    /** @param {{ command: string }} options */
    'astro:config:setup': ({ command }) => {
      // Incremental builds: the pages of an API are rendered again only when their inputs changed
      // (src/lib/docs/page-cache.ts); the cache lives in the data directory, like the spec cache.
      // Only for `build`: the dev server renders on demand and has no build-done step to restore pages.
      if (command !== 'build') return;
      process.env.PORTICO_PAGE_CACHE_DIR ??= path.join(path.resolve(process.env.PORTICO_DATA_DIR || '.data'), 'cache', 'site-pages');
      process.env.PORTICO_RENDERER_FINGERPRINT = rendererFingerprint(projectRoot);
      process.env.PORTICO_BUILD_ID = `${process.pid}-${buildStarted}`;
    },
    /** @param {{ logger: import('astro').AstroIntegrationLogger }} options */
    'astro:build:start': async ({ logger }) => {
      // The content's problems first, once; a content repository where no API loads stops here.
      await reportBuildCatalog(logger.fork('portico-catalog'));
    },
    /** @param {{ dir: URL }} options */
    'astro:build:done': async ({ dir }) => {
      const clientDir = fileURLToPath(dir);
      const pages = finishApiPages(clientDir, process.env.PORTICO_PAGE_CACHE_DIR ?? '', process.env.PORTICO_BUILD_ID ?? '');
      copyVendorFiles(clientDir);
      // Each static page's Content-Security-Policy allows its own inline scripts by hash (src/lib/server/serve.ts sends it).
      writePageCspFile(clientDir);
      // The spec URLs the content names: a site built from them is built again at the next start.
      await writeSpecUrls(path.dirname(clientDir));
      // What was built and what was reused; runDocsBuild adds what was indexed. Printed, not logged
      // through Astro's logger: `portico start` builds with logLevel 'warn', which would hide it.
      if (pages)
        console.log(`portico: APIs rendered: ${pages.rendered.length}${pages.rendered.length ? ` (${pages.rendered.join(', ')})` : ''}; reused unchanged from the last build: ${pages.reused.length}`);
    },
  },
};

// Pages are prerendered (static HTML for any CDN); the adapter serves them and, later, the server islands.
export default defineConfig({
  output: 'static',
  // Astro's own cap on a request body (the node adapter's default is 1 GiB): a backstop above the largest
  // body a route reads, the relay's 1 MiB (src/lib/relay/relay.ts). The routes themselves refuse
  // larger bodies with a 413 as soon as they know (readBodyWithin in src/lib/http/problem.ts).
  adapter: node({ mode: 'standalone', bodySizeLimit: 2 * 1024 * 1024 }),
  integrations: [react(), pagefindIntegration],
  devToolbar: { enabled: false },
  // src/middleware.ts checks the origin of every state-changing request (JSON included) and answers
  // with problem+json; Astro's own check covers form posts only, so it is switched off in favour of ours.
  security: { checkOrigin: false },
});
