import type { Diagnostic } from './diagnostics.ts';
import { readHubApi } from './hub-apis.ts';
import { HUB, type KindIndex, keyOf, ofKind, TYK } from './kind-index.ts';
import type { CatalogApi, FailedApi } from './model.ts';
import { diagnosticAt, type Resource } from './resources.ts';
import { indexCluster } from './served-spec.ts';
import type { SpecLoadContext } from './spec-source.ts';
import { readTykClassicApi, readTykOasApi } from './tyk-apis.ts';

/**
 * Reads every API (Traefik Hub APIs with their APIVersions, Tyk OAS and classic definitions), sorted
 * by key, and names the ones that failed with their reasons: one broken API never hides the others.
 */
export async function readApis(
  ctx: SpecLoadContext,
  index: KindIndex,
  resourceErrors: Map<string, Diagnostic[]>,
  onProgress: ((event: { done: number; total: number; api: string }) => void) | undefined,
): Promise<{ apis: CatalogApi[]; failedApis: FailedApi[] }> {
  const apis: CatalogApi[] = [];
  const failedApis: FailedApi[] = [];
  /**
   * Reads one API and notes it as failed when reading it reported an error (a missing or broken spec,
   * an unknown version) or one of its own resources breaks its CRD schema. APIs are read one after
   * another, so the diagnostics added while reading one are its own.
   */
  const readOne = async (owned: () => Resource[], read: () => Promise<CatalogApi>): Promise<void> => {
    const before = ctx.diagnostics.length;
    const api = await read();
    const reasons = [...owned().flatMap((r) => resourceErrors.get(r.identity) ?? []), ...ctx.diagnostics.slice(before).filter((d) => d.severity === 'error')];
    apis.push(api);
    if (reasons.length > 0) failedApis.push({ key: api.key, id: api.id, source: api.source, reasons });
  };
  const cluster = indexCluster(ctx.scan.resources);
  const hubApis = ofKind(index, HUB, 'API');
  const versionsByKey = new Map(ofKind(index, HUB, 'APIVersion').map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  const usedVersions = new Set<string>();
  const tykOas = ofKind(index, TYK, 'TykOasApiDefinition');
  const tykClassic = ofKind(index, TYK, 'ApiDefinition');
  const total = hubApis.length + tykOas.length + tykClassic.length;
  let done = 0;

  for (const r of hubApis) {
    const owned: Resource[] = [r];
    await readOne(
      () => owned,
      () => readHubApi(ctx, cluster, r, versionsByKey, usedVersions, owned),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }

  for (const [key, vr] of versionsByKey) {
    if (!usedVersions.has(key)) {
      ctx.diagnostics.push(diagnosticAt(vr.file, vr.doc, ['metadata', 'name'], 'warning', 'orphan', `APIVersion ${key} is not listed in any API's spec.versions, so no portal shows it`));
    }
  }

  const configMaps = new Map((index.get('/ConfigMap') ?? []).map((r) => [keyOf(r.id.namespace, r.id.name), r]));
  for (const r of tykOas) {
    await readOne(
      () => [r],
      () => readTykOasApi(ctx, r, configMaps),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }
  for (const r of tykClassic) {
    await readOne(
      () => [r],
      async () => readTykClassicApi(r),
    );
    onProgress?.({ done: ++done, total, api: r.id.name });
  }
  return { apis: apis.sort((a, b) => a.key.localeCompare(b.key)), failedApis: failedApis.sort((a, b) => a.key.localeCompare(b.key)) };
}
