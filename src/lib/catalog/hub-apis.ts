import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildVersion, finishApi } from './api-model.ts';
import { isLegacyHubApi, keyOf } from './kind-index.ts';
import type { ApiVersion, CatalogApi, CatalogKey, OperationSet, Server, SpecOrigin } from './model.ts';
import { diagnosticAt, type Resource, sourceOf } from './resources.ts';
import { type ClusterIndex, findRouteServices, findServedDocument, parseInClusterUrl, type ServedDocument, type ServedLookup, type ServiceRef } from './served-spec.ts';
import { type LoadedSpec, loadInlineSpec, loadSpecFile, loadSpecUrl, OPENAPI_FILE_ANNOTATION, type SpecLoadContext, specFileCandidates } from './spec-source.ts';

function readOperationSets(openApiSpec: any): OperationSet[] {
  if (!openApiSpec || !Array.isArray(openApiSpec.operationSets)) return [];
  return openApiSpec.operationSets
    .filter((s: any) => s && typeof s.name === 'string')
    .map((s: any) => ({
      name: s.name,
      matchers: (Array.isArray(s.matchers) ? s.matchers : []).map((m: any) => ({
        path: m.path,
        pathPrefix: m.pathPrefix,
        pathRegex: m.pathRegex,
        methods: Array.isArray(m.methods) ? m.methods : undefined,
      })),
    }));
}

interface VersionInput {
  name: string;
  release?: string;
  title?: string;
  description?: string;
  resource: Resource;
  openApiSpec: any;
  openApiSpecPath: string[];
  extraSets: OperationSet[];
  /** How the cluster finds the Service that serves `openApiSpec.path`: a route annotation, or the legacy `spec.service`. */
  servedBy: { annotation: string; name: string } | { service: ServiceRef };
}

/** Reads one Traefik Hub API with its versions; adds the APIVersion resources it reads to `owned`. */
export async function readHubApi(
  ctx: SpecLoadContext,
  cluster: ClusterIndex,
  r: Resource,
  versionsByKey: Map<CatalogKey, Resource>,
  usedVersions: Set<string>,
  owned: Resource[],
): Promise<CatalogApi> {
  const legacy = isLegacyHubApi(r);
  const inputs: VersionInput[] = [];
  if (legacy) {
    ctx.diagnostics.push(
      diagnosticAt(
        r.file,
        r.doc,
        r.spec.pathPrefix !== undefined ? ['spec', 'pathPrefix'] : ['spec', 'service'],
        'warning',
        'legacy',
        `API ${r.id.name} uses the Traefik Hub shape from before March 2024 (spec.pathPrefix, spec.service); Portico migrated it in memory`,
        `move spec.service.openApiSpec to spec.openApiSpec, delete spec.pathPrefix and spec.service, and route the API with an IngressRoute annotated hub.traefik.io/api: ${r.id.name}`,
      ),
    );
    const service = r.spec.service;
    const servedBy =
      typeof service?.name === 'string'
        ? { service: { name: service.name, namespace: r.id.namespace, port: service.port?.number ?? service.port?.name, via: `API ${r.id.name} (spec.service)` } }
        : { annotation: 'hub.traefik.io/api', name: r.id.name };
    inputs.push({
      name: r.id.name,
      resource: r,
      openApiSpec: service?.openApiSpec,
      openApiSpecPath: ['spec', 'service', 'openApiSpec'],
      extraSets: [],
      title: r.spec.title,
      description: r.spec.description,
      servedBy,
    });
  } else if (Array.isArray(r.spec.versions) && r.spec.versions.length > 0) {
    const apiSets = readOperationSets(r.spec.openApiSpec);
    r.spec.versions.forEach((v: any, i: number) => {
      const vr = versionsByKey.get(keyOf(r.id.namespace, String(v?.name)));
      if (!vr) {
        ctx.diagnostics.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'versions', i, 'name'],
            'error',
            'reference',
            `API ${r.id.name} lists version "${v?.name}", but there is no APIVersion "${v?.name}" in namespace ${r.id.namespace}`,
          ),
        );
        return;
      }
      usedVersions.add(keyOf(vr.id.namespace, vr.id.name));
      inputs.push({
        name: vr.id.name,
        release: vr.spec.release,
        title: vr.spec.title,
        description: vr.spec.description,
        resource: vr,
        openApiSpec: vr.spec.openApiSpec,
        openApiSpecPath: ['spec', 'openApiSpec'],
        extraSets: apiSets,
        servedBy: { annotation: 'hub.traefik.io/api-version', name: vr.id.name },
      });
    });
  } else {
    inputs.push({
      name: r.id.name,
      resource: r,
      openApiSpec: r.spec.openApiSpec,
      openApiSpecPath: ['spec', 'openApiSpec'],
      extraSets: [],
      title: r.spec.title,
      description: r.spec.description,
      servedBy: { annotation: 'hub.traefik.io/api', name: r.id.name },
    });
  }
  const versions: ApiVersion[] = [];
  for (const input of inputs) versions.push(await readHubVersion(ctx, cluster, input));
  for (const input of inputs) if (input.resource !== r) owned.push(input.resource);
  return finishApi(r, versions, { gateway: 'traefik-hub', legacy }, r.spec.title, r.spec.description);
}

async function readHubVersion(ctx: SpecLoadContext, cluster: ClusterIndex, input: VersionInput): Promise<ApiVersion> {
  const r = input.resource;
  const oas = input.openApiSpec;
  let loaded: LoadedSpec | undefined;
  let origin: SpecOrigin = { kind: 'none' };
  const at = (field: string, severity: 'error' | 'warning', message: string, hint?: string): void => {
    ctx.diagnostics.push(diagnosticAt(r.file, r.doc, [...input.openApiSpecPath, field], severity, 'openapi', message, hint));
  };
  const fromFile = (file: string, declaredPath: string): void => {
    loaded = loadSpecFile(ctx, file);
    origin = { kind: 'path', file, declaredPath };
  };
  const fromConfigMap = (served: ServedDocument): void => {
    ctx.stats.specs++;
    const cm = served.configMap;
    // A key kustomize generated from a file is that file, byte for byte: place the spec in it.
    const ownFile = cm.doc.fileOf?.(['data', served.key]);
    const base = ownFile ? () => ({ line: 0, column: -1 }) : () => cm.doc.positionOf(['data', served.key]);
    loaded = loadInlineSpec(ctx, served.text, /^\s*\{/.test(served.text) ? 'embedded.json' : 'embedded.yaml', ownFile ?? cm.file, base, false, true);
    origin = { kind: 'configmap', configMap: keyOf(cm.id.namespace, cm.id.name), key: served.key, file: ownFile ?? cm.file };
  };
  const annotation = r.annotations[OPENAPI_FILE_ANNOTATION];
  const annotated = annotation ? path.posix.normalize(path.posix.join(path.posix.dirname(r.file), annotation)) : undefined;
  const hasSpec = oas && (typeof oas.url === 'string' || typeof oas.path === 'string');

  if (hasSpec && annotated !== undefined && typeof oas.url === 'string') {
    // The annotation names the repository's copy, and wins over the URL: the build needs no network.
    const inside = !annotated.startsWith('../') && !path.posix.isAbsolute(annotated);
    if (inside && existsSync(path.join(ctx.root, annotated))) fromFile(annotated, oas.url);
    else {
      ctx.diagnostics.push(
        diagnosticAt(
          r.file,
          r.doc,
          ['metadata', 'annotations', OPENAPI_FILE_ANNOTATION],
          'error',
          'openapi',
          `${r.id.kind} ${r.id.name}: annotation ${OPENAPI_FILE_ANNOTATION} names ${annotated}, which ${inside ? 'does not exist' : 'is outside the content root'}`,
          'fix the path (it is relative to this manifest), or remove the annotation to use openApiSpec.url',
        ),
      );
    }
  } else if (hasSpec && typeof oas.url === 'string') {
    const inCluster = parseInClusterUrl(cluster, oas.url, r.id.namespace);
    if (inCluster) {
      // An in-cluster address answers only inside the cluster: read what the Service serves from the repository instead.
      const served = findServedDocument(cluster, inCluster.service, inCluster.path, true);
      if ('found' in served) fromConfigMap(served.found);
      else
        at(
          'url',
          'error',
          `${r.id.kind} ${r.id.name}: openApiSpec.url ${oas.url} is an address inside the cluster, which Portico follows through the repository instead of fetching it, and ${served.missing}`,
          `add the missing link to the repository, or keep the spec in a file named with the annotation ${OPENAPI_FILE_ANNOTATION}`,
        );
    } else {
      loaded = await loadSpecUrl(ctx, r, oas.url, [...input.openApiSpecPath, 'url']);
      if (loaded) origin = { kind: 'url', url: oas.url, fromCache: loaded.fromCache };
    }
  } else if (hasSpec && typeof oas.path === 'string') {
    const candidates = specFileCandidates(r, oas.path);
    const file = candidates.find((c) => existsSync(path.join(ctx.root, c)));
    if (file) fromFile(file, oas.path);
    else {
      const served = findServedSpec(cluster, input.servedBy, r.id.namespace, oas.path);
      if ('found' in served) fromConfigMap(served.found);
      else
        at(
          'path',
          'error',
          `${r.id.kind} ${r.id.name}: no file for openApiSpec.path "${oas.path}"; looked for ${candidates.join(', ')}; and in the cluster: ${served.missing}`,
          `put the document at one of those paths, name it with the annotation ${OPENAPI_FILE_ANNOTATION}, or add the missing link to the ConfigMap that holds it`,
        );
    }
  } else {
    ctx.diagnostics.push(
      diagnosticAt(r.file, r.doc, input.openApiSpecPath.slice(0, -1), 'warning', 'openapi', `${r.id.kind} ${r.id.name} has no openApiSpec, so the portal can show no operations for it`),
    );
  }
  const overrideServers = Array.isArray(oas?.override?.servers) ? (oas.override.servers as Server[]).filter((s) => typeof s?.url === 'string') : undefined;
  const sets = [...input.extraSets, ...readOperationSets(oas)];
  const deprecatedByAnnotation = r.annotations['portico.dev/deprecated'] === 'true';
  return buildVersion(ctx, input.name, input.release, input.title, input.description, loaded, origin, sets, overrideServers, sourceOf(r), deprecatedByAnnotation);
}

/** The ConfigMap key served at `httpPath` by the Service behind the version, tried Service by Service. */
function findServedSpec(cluster: ClusterIndex, servedBy: VersionInput['servedBy'], namespace: string, httpPath: string): ServedLookup {
  const routed = 'service' in servedBy ? { services: [servedBy.service] } : findRouteServices(cluster, servedBy.annotation, servedBy.name, namespace);
  if ('missing' in routed) return routed;
  let first: ServedLookup | undefined;
  for (const service of routed.services) {
    const served = findServedDocument(cluster, service, httpPath);
    if ('found' in served) return served;
    first ??= served;
  }
  return first!;
}
