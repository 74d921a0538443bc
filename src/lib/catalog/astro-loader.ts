import type { Loader } from 'astro/loaders';
import { loadConfig } from '../config.ts';
import { formatHumanDiagnostic as formatDiagnostic } from '../lint/formatters/human.ts';
import { loadCatalog } from './load.ts';
import type { Catalog } from './model.ts';
import { describeFailedApis, publishedCatalog } from './published.ts';

let pending: Promise<Catalog> | undefined;

/**
 * The catalog this build publishes (failed APIs left out), loaded once however many collections ask for it.
 * Module-level on purpose: it is build-time data, identical for every page, never per-request state.
 */
export function catalogForBuild(): Promise<Catalog> {
  pending ??= (async () => {
    const config = loadConfig();
    return publishedCatalog(await loadCatalog(config.contentDir, { cacheDir: config.cacheDir, offline: config.offline, demoGatewayUrl: config.demoGatewayUrl }));
  })();
  return pending;
}

type Section = 'apis' | 'plans' | 'bundles' | 'items' | 'portals' | 'guides';

/** An Astro content loader exposing one section of the catalog as a collection. */
export function catalogLoader(section: Section): Loader {
  return {
    name: `portico-catalog-${section}`,
    load: async ({ store, logger }) => {
      const catalog = await catalogForBuild();
      if (section === 'apis') {
        // Diagnostics are printed once per build, grouped by file, by the first collection to load.
        for (const d of catalog.diagnostics) {
          if (d.severity === 'error') logger.error(formatDiagnostic(d));
          else logger.warn(formatDiagnostic(d));
        }
        const errors = catalog.diagnostics.filter((d) => d.severity === 'error').length;
        // One broken API never hides the others (DESIGN.md section 3): the build publishes what loads, and stops only when nothing does.
        if (errors > 0 && catalog.apis.length === 0) {
          throw new Error(`the content repository has ${errors} errors (listed above) and no API loads; fix them, or run \`npx portico catalog\` to see them`);
        }
        for (const line of describeFailedApis(catalog.failedApis, catalog.apis.length)) logger.warn(line);
        if (errors > 0) logger.warn(`the content repository has ${errors} errors (listed above); run \`npx portico lint\` to fail on them`);
      }
      store.clear();
      const entries: Array<{ id: string; data: unknown }> =
        section === 'guides'
          ? catalog.guides.map((g) => ({ id: g.slug, data: g }))
          : (catalog[section] as Array<{ key: string }>).map((x) => ({ id: x.key, data: section === 'apis' ? withoutDocuments(x) : x }));
      for (const entry of entries) store.set({ id: entry.id, data: JSON.parse(JSON.stringify(entry.data)) as Record<string, unknown> });
    },
  };
}

/** The data store is serialised to disk: keep the big OpenAPI documents out of it. */
function withoutDocuments(api: unknown): unknown {
  const a = api as Catalog['apis'][number];
  return { ...a, versions: a.versions.map((v) => ({ ...v, spec: v.spec ? { ...v.spec, document: undefined } : undefined })) };
}
