import { isIP } from 'node:net';
import path from 'node:path';
import type { Resource } from './resources.ts';

/**
 * Where the cluster serves a Traefik Hub API's OpenAPI document from, followed through the
 * repository's own manifests instead of the network (DESIGN.md section 3, source 3):
 * the routes annotated with the API -> their backend Service -> the workloads whose pod labels the
 * Service selects -> the ConfigMap volumes mounted into their containers -> the ConfigMap key that
 * lands at `openApiSpec.path`. traefik-airlines and the Traefik tutorials ship their specs this way.
 */

/** A Service named by a route, a legacy `spec.service` or an in-cluster URL, before it is looked up. */
export interface ServiceRef {
  name: string;
  namespace: string;
  /** The Service port asked for: a number, a port name, or absent (any). */
  port?: number | string;
  /** Who names the Service, for messages: `IngressRoute flights-ingress (apis/flights/route.yaml:5)`. */
  via: string;
}

/** The document found: the ConfigMap and the key that hold it. */
export interface ServedDocument {
  configMap: Resource;
  key: string;
  text: string;
}

/** Either the document, or the one link of the chain that is missing, said for people. */
export type ServedLookup = { found: ServedDocument } | { missing: string };

/** The resources the chain passes through, indexed once per catalog load. */
export interface ClusterIndex {
  routes: Resource[];
  services: Resource[];
  workloads: Resource[];
  configMaps: Resource[];
}

const ROUTE_KINDS = new Set(['traefik.io/IngressRoute', 'traefik.containo.us/IngressRoute', 'networking.k8s.io/Ingress', 'gateway.networking.k8s.io/HTTPRoute']);
const WORKLOAD_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', '/Pod']);

/** Picks out the routes, Services, workloads and ConfigMaps among the resources read. */
export function indexCluster(resources: Resource[]): ClusterIndex {
  const kindOf = (r: Resource): string => `${r.id.group}/${r.id.kind}`;
  return {
    routes: resources.filter((r) => ROUTE_KINDS.has(kindOf(r))),
    services: resources.filter((r) => kindOf(r) === '/Service'),
    workloads: resources.filter((r) => WORKLOAD_KINDS.has(kindOf(r))),
    configMaps: resources.filter((r) => kindOf(r) === '/ConfigMap'),
  };
}

/** Where a resource's document starts, for messages: `apps/flights/app.yaml:17`. */
function placeOf(r: Resource): string {
  return `${r.file}:${r.doc.positionOf(['metadata', 'name']).line}`;
}

function hasOwnNamespace(r: Resource): boolean {
  const ns = r.body.metadata?.namespace;
  return typeof ns === 'string' && ns !== '';
}

/**
 * Is this resource in `namespace`? A manifest without metadata.namespace lands in the namespace of
 * whoever applies it (kustomize's `namespace:`, `kubectl -n`, Flux's targetNamespace), so it may be.
 */
function mayBeIn(r: Resource, namespace: string): boolean {
  return hasOwnNamespace(r) ? r.id.namespace === namespace : true;
}

/** The resources named `name` that may be in `namespace`, those that say so first. */
function named(list: Resource[], name: string, namespace: string): Resource[] {
  const candidates = list.filter((r) => r.id.name === name && mayBeIn(r, namespace));
  return [...candidates.filter(hasOwnNamespace), ...candidates.filter((r) => !hasOwnNamespace(r))];
}

/**
 * The Services behind the routes annotated `annotation: name` (Traefik Hub attaches an API with
 * `hub.traefik.io/api`, an APIVersion with `hub.traefik.io/api-version`): IngressRoute services,
 * Ingress backends and HTTPRoute backendRefs, in the order written, without repeats.
 */
export function findRouteServices(index: ClusterIndex, annotation: string, name: string, namespace: string): { services: ServiceRef[] } | { missing: string } {
  const routes = index.routes.filter((r) => r.annotations[annotation] === name && mayBeIn(r, namespace));
  if (routes.length === 0) {
    return { missing: `no IngressRoute, Ingress or HTTPRoute in namespace ${namespace} is annotated ${annotation}: ${name}, so no Service is known to serve it` };
  }
  const services: ServiceRef[] = [];
  for (const route of routes) {
    const via = `${route.id.kind} ${route.id.name} (${placeOf(route)})`;
    for (const backend of routeBackends(route)) {
      const ref: ServiceRef = { name: backend.name, namespace: backend.namespace ?? namespace, port: backend.port, via };
      if (!services.some((s) => s.name === ref.name && s.namespace === ref.namespace && s.port === ref.port)) services.push(ref);
    }
  }
  if (services.length === 0) {
    return { missing: `${routes.map((r) => `${r.id.kind} ${r.id.name} (${placeOf(r)})`).join(' and ')} routes to no Kubernetes Service` };
  }
  return { services };
}

interface Backend {
  name: string;
  namespace?: string;
  port?: number | string;
}

function portValue(value: unknown): number | string | undefined {
  if (typeof value === 'number' || (typeof value === 'string' && value !== '')) return value;
  if (value && typeof value === 'object') {
    const p = value as { number?: unknown; name?: unknown };
    if (typeof p.number === 'number') return p.number;
    if (typeof p.name === 'string') return p.name;
  }
  return undefined;
}

/** The Kubernetes Services a route sends traffic to (TraefikServices and other backend kinds are not Services). */
function routeBackends(route: Resource): Backend[] {
  const out: Backend[] = [];
  const s = route.spec;
  const push = (name: unknown, namespace: unknown, port: unknown): void => {
    if (typeof name !== 'string' || !name) return;
    out.push({ name, namespace: typeof namespace === 'string' && namespace ? namespace : undefined, port: portValue(port) });
  };
  if (route.id.kind === 'IngressRoute') {
    for (const rule of Array.isArray(s.routes) ? s.routes : []) {
      for (const svc of Array.isArray(rule?.services) ? rule.services : []) {
        if (svc?.kind === undefined || svc.kind === 'Service') push(svc?.name, svc?.namespace, svc?.port);
      }
    }
  } else if (route.id.kind === 'Ingress') {
    const backends = [s.defaultBackend, ...(Array.isArray(s.rules) ? s.rules : []).flatMap((rule: any) => (Array.isArray(rule?.http?.paths) ? rule.http.paths : []).map((p: any) => p?.backend))];
    for (const b of backends) if (b?.service) push(b.service.name, undefined, b.service.port);
  } else {
    for (const rule of Array.isArray(s.rules) ? s.rules : []) {
      for (const ref of Array.isArray(rule?.backendRefs) ? rule.backendRefs : []) {
        if ((ref?.kind ?? 'Service') === 'Service' && (ref?.group ?? '') === '') push(ref?.name, ref?.namespace, ref?.port);
      }
    }
  }
  return out;
}

/**
 * The Service and path an in-cluster `openApiSpec.url` names, or undefined for a URL on the outside.
 * Cluster DNS forms: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. A two-label host
 * could as well be a public name, so it counts only when the repository has that Service.
 */
export function parseInClusterUrl(index: ClusterIndex, url: string, namespace: string): { service: ServiceRef; path: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const host = parsed.hostname.toLowerCase();
  if (!host || host === 'localhost' || isIP(host.replace(/^\[|\]$/g, '')) !== 0) return undefined;
  const labels = host.split('.');
  let name: string;
  let ns = namespace;
  if (labels.length === 1) name = labels[0]!;
  else if (labels.length === 2) {
    [name, ns] = labels as [string, string];
    if (named(index.services, name, ns).length === 0) return undefined;
  } else if ((labels.length === 3 && labels[2] === 'svc') || (labels.length === 5 && labels.slice(2).join('.') === 'svc.cluster.local')) {
    [name, ns] = labels as [string, string];
  } else return undefined;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { service: { name, namespace: ns, port, via: `openApiSpec.url ${url}` }, path: parsed.pathname || '/' };
}

/** Follows one Service to the ConfigMap key served at `httpPath`; says which link is missing when none is. */
export function findServedDocument(index: ClusterIndex, ref: ServiceRef, httpPath: string, strictPort = false): ServedLookup {
  const service = named(index.services, ref.name, ref.namespace)[0];
  if (!service) return { missing: `no Service named ${ref.name} in namespace ${ref.namespace} (${ref.via} names it)` };
  const selector = stringMap(service.spec.selector);
  const serviceName = `Service ${service.id.name} (${placeOf(service)})`;
  if (Object.keys(selector).length === 0) {
    return { missing: `${serviceName} has no selector, so no workload behind it can be found in the repository` };
  }
  const ports: any[] = Array.isArray(service.spec.ports) ? service.spec.ports : [];
  const servicePort = ref.port === undefined ? undefined : ports.find((p) => p?.port === ref.port || (typeof ref.port === 'string' && p?.name === ref.port));
  if (strictPort && ref.port !== undefined && !servicePort) {
    return {
      missing: `${serviceName} has no port ${ref.port} (it has: ${
        ports
          .map((p) => p?.port)
          .filter((p) => p !== undefined)
          .join(', ') || 'none'
      })`,
    };
  }
  const targetPort: number | string | undefined = servicePort ? (portValue(servicePort.targetPort) ?? servicePort.port) : undefined;
  const workloads = index.workloads.filter((w) => mayBeIn(w, ref.namespace) && matchesSelector(selector, podTemplateOf(w)?.labels ?? {}));
  const selectorText = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (workloads.length === 0) {
    return { missing: `no Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod in namespace ${ref.namespace} has the pod labels ${selectorText} that ${serviceName} selects` };
  }
  const target = path.posix.normalize(`/${httpPath}`);
  let firstMissing: string | undefined;
  for (const workload of workloads) {
    const result = findInWorkload(index, workload, ref.namespace, targetPort, target);
    if ('found' in result) return result;
    firstMissing ??= result.missing;
  }
  return { missing: firstMissing! };
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** A Service selector is a plain map: every pair must be among the pod's labels. */
function matchesSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The pod a workload runs: a Pod itself, or the template of a Deployment, StatefulSet, DaemonSet or ReplicaSet. */
function podTemplateOf(w: Resource): { labels: Record<string, string>; spec: Record<string, any> } | undefined {
  if (w.id.kind === 'Pod') return { labels: w.labels, spec: w.spec };
  const template = w.spec.template;
  if (!template || typeof template !== 'object') return undefined;
  return { labels: stringMap(template.metadata?.labels), spec: template.spec && typeof template.spec === 'object' ? template.spec : {} };
}

interface ConfigMapSource {
  name: string;
  /** `items` of the volume source: key -> path inside the volume; absent means every key under its own name. */
  items?: Array<{ key: string; path: string }>;
}

function configMapSources(volume: any): ConfigMapSource[] {
  const read = (cm: any): ConfigMapSource | undefined => {
    if (!cm || typeof cm.name !== 'string') return undefined;
    const items = Array.isArray(cm.items) ? cm.items.filter((i: any) => typeof i?.key === 'string' && typeof i?.path === 'string') : undefined;
    return { name: cm.name, items };
  };
  const direct = read(volume?.configMap);
  if (direct) return [direct];
  const projected = Array.isArray(volume?.projected?.sources) ? volume.projected.sources : [];
  return projected.map((s: any) => read(s?.configMap)).filter((s: ConfigMapSource | undefined): s is ConfigMapSource => !!s);
}

/** One place the target path may be: a file `rel` inside a ConfigMap volume, mounted so it lands at `file`. */
interface Candidate {
  source: ConfigMapSource;
  rel: string;
  file: string;
  mountPath: string;
  /** Below the mount path (exact), or at the root of a folder the container serves as its web root. */
  exact: boolean;
  /** The container names this file in its command, args or env: it is what it serves, so a miss here is the one to report. */
  named: boolean;
}

function findInWorkload(index: ClusterIndex, workload: Resource, namespace: string, targetPort: number | string | undefined, target: string): ServedLookup {
  const workloadName = `${workload.id.kind} ${workload.id.name} (${placeOf(workload)})`;
  const pod = podTemplateOf(workload)!;
  const volumes: any[] = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
  const allContainers: any[] = Array.isArray(pod.spec.containers) ? pod.spec.containers.filter((c: unknown) => c && typeof c === 'object') : [];
  // The container listening on the Service's target port serves the path; when none declares it, any may.
  const onPort =
    targetPort === undefined
      ? []
      : allContainers.filter((c) => (Array.isArray(c.ports) ? c.ports : []).some((p: any) => p?.containerPort === targetPort || (typeof targetPort === 'string' && p?.name === targetPort)));
  const containers = onPort.length > 0 ? onPort : allContainers;

  const candidates: Candidate[] = [];
  const mounts: string[] = [];
  for (const container of containers) {
    const mentioned = JSON.stringify([container.command, container.args, container.env]);
    for (const mount of Array.isArray(container.volumeMounts) ? container.volumeMounts : []) {
      if (typeof mount?.mountPath !== 'string' || typeof mount?.name !== 'string') continue;
      const volume = volumes.find((v) => v?.name === mount.name);
      const mountPath = path.posix.normalize(mount.mountPath).replace(/(.)\/$/, '$1');
      const subPath = typeof mount.subPath === 'string' && mount.subPath ? mount.subPath.replace(/^\/+|\/+$/g, '') : '';
      for (const source of configMapSources(volume)) {
        mounts.push(`${mountPath}${subPath ? ` (subPath ${subPath})` : ''} from ConfigMap ${source.name}`);
        const place = (rel: string, exact: boolean): void => {
          const file = exact ? target : path.posix.join(mountPath, rel);
          candidates.push({ source, rel, file, mountPath, exact, named: mentioned.includes(file) });
        };
        const below = mountPath === '/' ? target.slice(1) : target.startsWith(`${mountPath}/`) ? target.slice(mountPath.length + 1) : undefined;
        if (subPath) {
          if (target === mountPath) place(subPath, true);
          else if (below !== undefined) place(`${subPath}/${below}`, true);
        } else {
          if (below !== undefined) place(below, true);
          // A server that serves a mounted folder as its web root answers /openapi.yaml from <mountPath>/openapi.yaml.
          place(target.slice(1), false);
        }
      }
    }
  }
  if (mounts.length === 0) return { missing: `${workloadName} mounts no ConfigMap volume, so none can hold ${target}` };
  candidates.sort((a, b) => Number(b.exact) - Number(a.exact) || Number(b.named) - Number(a.named));

  let firstMissing: string | undefined;
  for (const c of candidates) {
    const key = c.source.items ? c.source.items.find((i) => path.posix.normalize(i.path) === c.rel)?.key : c.rel.includes('/') ? undefined : c.rel;
    const configMap = named(index.configMaps, c.source.name, namespace)[0];
    if (!configMap) {
      if (c.exact || c.named) firstMissing ??= `${workloadName} mounts ConfigMap ${c.source.name} at ${c.mountPath}, but there is no ConfigMap named ${c.source.name} in namespace ${namespace}`;
      continue;
    }
    const data = configMap.body.data && typeof configMap.body.data === 'object' ? (configMap.body.data as Record<string, unknown>) : {};
    if (key !== undefined && typeof data[key] === 'string') {
      return { found: { configMap, key, text: data[key] as string } };
    }
    if (c.exact || c.named) {
      firstMissing ??=
        key === undefined
          ? `${workloadName} mounts ConfigMap ${c.source.name} at ${c.mountPath}, but its items put no key at ${c.rel}`
          : `ConfigMap ${configMap.id.name} (${placeOf(configMap)}) has no key ${key} (it has: ${Object.keys(data).join(', ') || 'none'}), which ${workloadName} would mount at ${target}`;
    }
  }
  return {
    missing:
      firstMissing ??
      `no ConfigMap volume of ${workloadName} is mounted at a prefix of ${target}, and none holds ${target.slice(1)} at the top of its mount (its ConfigMap mounts: ${mounts.join('; ')})`,
  };
}
