import semver from 'semver';
import { keyOf } from './kind-index.ts';
import type { ApiVersion, CatalogApi, OperationSet, Server, SourceRef, SpecOrigin } from './model.ts';
import { extractSpec } from './openapi.ts';
import { type Resource, sourceOf } from './resources.ts';
import { type LoadedSpec, specDiagnostics, type SpecLoadContext } from './spec-source.ts';

/** One API of the catalog from its resource and versions, newest version first; its title and description fall back to the newest spec's. */
export function finishApi(r: Resource, versions: ApiVersion[], gateway: CatalogApi['gateway'], title: unknown, description: unknown): CatalogApi {
  versions.sort(compareReleasesDesc);
  const newest = versions[0];
  const info = (newest?.spec?.document.info ?? {}) as Record<string, unknown>;
  return {
    key: keyOf(r.id.namespace, r.id.name),
    id: r.id,
    title: typeof title === 'string' && title ? title : typeof info.title === 'string' ? info.title : r.id.name,
    description: typeof description === 'string' && description ? description : typeof info.description === 'string' ? info.description : undefined,
    labels: r.labels,
    gateway,
    versions,
    source: sourceOf(r),
  };
}

/** Orders versions newest release first (semver; releases that are not semver sort last, by name). */
export function compareReleasesDesc(a: { release: string; name: string }, b: { release: string; name: string }): number {
  const va = semver.valid(a.release) ?? semver.coerce(a.release)?.version;
  const vb = semver.valid(b.release) ?? semver.coerce(b.release)?.version;
  if (va && vb) return semver.rcompare(va, vb) || a.name.localeCompare(b.name);
  if (va) return -1;
  if (vb) return 1;
  return a.name.localeCompare(b.name);
}

/** One version of the catalog from its loaded spec (or none): operations, servers, sets, and whether it is deprecated. */
export function buildVersion(
  ctx: SpecLoadContext,
  name: string,
  release: string | undefined,
  title: string | undefined,
  description: string | undefined,
  loaded: LoadedSpec | undefined,
  origin: SpecOrigin,
  sets: OperationSet[],
  overrideServers: Server[] | undefined,
  source: SourceRef,
  deprecatedByAnnotation = false,
): ApiVersion {
  if (loaded) ctx.diagnostics.push(...specDiagnostics(loaded.spec));
  const doc = loaded?.spec.document;
  const usable = !!doc && typeof (doc as any).openapi === 'string';
  const extracted = usable ? extractSpec(doc!, loaded!.spec.operationSources, sets, source) : undefined;
  if (usable && overrideServers) (doc as Record<string, unknown>).servers = overrideServers; // override.servers replaces servers (DESIGN.md 3)
  const info = ((usable ? doc!.info : undefined) ?? {}) as Record<string, unknown>;
  // A version is deprecated when its resource says so (annotation), its spec says so (x-deprecated), or every operation is.
  const deprecated = deprecatedByAnnotation || info['x-deprecated'] === true || (extracted ? extracted.operations.length > 0 && extracted.operations.every((o) => o.deprecated) : false);
  return {
    name,
    release: release ?? (typeof info.version === 'string' ? info.version : '0.0.0'),
    title: title ?? (typeof info.title === 'string' ? info.title : name),
    description: description ?? (typeof info.description === 'string' ? info.description : undefined),
    deprecated,
    origin,
    spec: usable ? { sourceVersion: loaded!.spec.sourceVersion, document: doc!, contentHash: loaded!.contentHash, files: loaded!.files } : undefined,
    servers: overrideServers ?? extracted?.servers ?? [],
    operations: extracted?.operations ?? [],
    webhooks: extracted?.webhooks ?? [],
    tags: extracted?.tags ?? [],
    schemaNames: extracted?.schemaNames ?? [],
    securitySchemes: extracted?.securitySchemes ?? {},
    operationSets: sets,
    source,
  };
}
