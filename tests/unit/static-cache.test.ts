import { describe, expect, it } from 'vitest';
import { cacheControlOfStatic, IMMUTABLE, REVALIDATE } from '../../src/lib/server/static-cache.ts';

describe('the cache policy of a static file', () => {
  it('lets caches keep files named by their content or a pinned version for a year', () => {
    for (const file of [
      '/_astro/Base.9fyoJotV.css',
      '/_astro/TryIt.astro_astro_type_script_index_0_lang.CBc6d_7D.js',
      '/pagefind/fragment/en_3b1c2d4.pf_fragment',
      '/pagefind/index/en_8a9b7c6.pf_index',
      '/pagefind/pagefind.en_c8b66cc872.pf_meta',
      '/vendor/scalar-1.72.1/standalone.js',
      '/vendor/swagger-ui-5.35.0/swagger-ui.css',
    ])
      expect(cacheControlOfStatic(file), file).toBe(IMMUTABLE);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
  });

  it('makes caches ask again for pages and for files whose names do not change', () => {
    for (const file of [
      '/',
      '/index.html',
      '/guides/getting-started/',
      '/apis/tracking/tracking/openapi.json',
      '/pagefind/pagefind.js',
      '/pagefind/pagefind-entry.json',
      '/pagefind/wasm.en.pagefind',
      '/favicon.svg',
      '/vendor/readme.txt',
      '/astro/x.js',
    ])
      expect(cacheControlOfStatic(file), file).toBe(REVALIDATE);
    expect(REVALIDATE).toBe('public, max-age=0, must-revalidate');
  });
});
