// @ts-check
import { fileURLToPath } from 'node:url';
import node from '@astrojs/node';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { indexSite } from './src/lib/docs/search-index.ts';
import { copyVendorFiles } from './src/lib/docs/vendor.ts';

/** Copies the interactive views' bundles and writes the Pagefind search index once the static pages exist. */
const pagefindIntegration = {
  name: 'portico-search-index',
  hooks: {
    /** @param {{ dir: URL, logger: { info(m: string): void } }} options */
    'astro:build:done': async ({ dir, logger }) => {
      const started = Date.now();
      copyVendorFiles(fileURLToPath(dir));
      const { pages } = await indexSite(fileURLToPath(dir));
      logger.info(`search index: ${pages} pages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  },
};

// Pages are prerendered (static HTML for any CDN); the adapter serves them and, later, the server islands.
export default defineConfig({
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  integrations: [react(), pagefindIntegration],
  devToolbar: { enabled: false },
  // src/middleware.ts checks the origin of every state-changing request (JSON included) and answers
  // with problem+json; Astro's own check covers form posts only, so it is switched off in favour of ours.
  security: { checkOrigin: false },
});
