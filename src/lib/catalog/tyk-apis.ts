import { buildVersion, finishApi } from './api-model.ts';
import { keyOf } from './kind-index.ts';
import type { ApiVersion, CatalogApi, SpecOrigin } from './model.ts';
import { diagnosticAt, type Resource, sourceOf } from './resources.ts';
import { type LoadedSpec, loadInlineSpec, type SpecLoadContext } from './spec-source.ts';

/** A Tyk OAS API: its document is in the ConfigMap the TykOasApiDefinition names. */
export async function readTykOasApi(ctx: SpecLoadContext, r: Resource, configMaps: Map<string, Resource>): Promise<CatalogApi> {
  const ref = r.spec.tykOAS?.configmapRef ?? {};
  const cmKey = keyOf(typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : r.id.namespace, String(ref.name));
  const keyName = typeof ref.keyName === 'string' ? ref.keyName : '';
  const cm = configMaps.get(cmKey);
  let loaded: LoadedSpec | undefined;
  let origin: SpecOrigin = { kind: 'none' };
  if (!cm) {
    ctx.diagnostics.push(
      diagnosticAt(r.file, r.doc, ['spec', 'tykOAS', 'configmapRef', 'name'], 'error', 'reference', `TykOasApiDefinition ${r.id.name} refers to ConfigMap ${cmKey}, which is not in the repository`),
    );
  } else if (typeof cm.body.data?.[keyName] !== 'string') {
    ctx.diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        ['spec', 'tykOAS', 'configmapRef', 'keyName'],
        'error',
        'reference',
        `ConfigMap ${cmKey} has no data key "${keyName}" (it has: ${Object.keys(cm.body.data ?? {}).join(', ') || 'none'})`,
      ),
    );
  } else {
    ctx.stats.specs++;
    const text = cm.body.data[keyName] as string;
    loaded = loadInlineSpec(ctx, text, /^\s*\{/.test(text) ? 'embedded.json' : 'embedded.yaml', cm.file, () => cm.doc.positionOf(['data', keyName]), false, true);
    origin = { kind: 'configmap', configMap: cmKey, key: keyName, file: cm.file };
  }
  const tyk = ((loaded?.spec.document as any)?.['x-tyk-api-gateway'] ?? {}) as any;
  const schemes = tyk.server?.authentication?.securitySchemes ?? {};
  const auth = Object.entries(schemes)
    .filter(([, v]: [string, any]) => v?.enabled !== false)
    .map(([k]) => k);
  const version = buildVersion(ctx, r.id.name, undefined, undefined, undefined, loaded, origin, [], undefined, sourceOf(r));
  return finishApi(r, [version], { gateway: 'tyk', flavour: 'oas', listenPath: tyk.server?.listenPath?.value, upstreamUrl: tyk.upstream?.url, authentication: auth }, tyk.info?.name, undefined);
}

/** A classic Tyk ApiDefinition: no OpenAPI document, so one version with no operations. */
export function readTykClassicApi(r: Resource): CatalogApi {
  const s = r.spec;
  const auth = [
    s.use_keyless ? 'keyless' : undefined,
    s.use_standard_auth ? 'authToken' : undefined,
    s.use_basic_auth ? 'basic' : undefined,
    s.enable_jwt ? 'jwt' : undefined,
    s.use_oauth2 ? 'oauth2' : undefined,
  ].filter((x): x is string => !!x);
  const version: ApiVersion = {
    name: r.id.name,
    release: '0.0.0',
    title: s.name ?? r.id.name,
    deprecated: false,
    origin: { kind: 'none' },
    servers: [],
    operations: [],
    webhooks: [],
    tags: [],
    schemaNames: [],
    securitySchemes: {},
    operationSets: [],
    source: sourceOf(r),
  };
  return finishApi(r, [version], { gateway: 'tyk', flavour: 'classic', listenPath: s.proxy?.listen_path, upstreamUrl: s.proxy?.target_url, authentication: auth }, s.name, undefined);
}
