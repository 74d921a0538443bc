/**
 * What happens to an object on its way to the cluster: Flux's targetNamespace and post-build
 * variables, Argo CD's destination namespace, name prefixes and suffixes.
 */
import { isObject } from '../util/is-object.ts';
import type { SourceDocument } from './parsed-file.ts';

type Body = Record<string, any>;

/** Kinds without a namespace: a target namespace is not set on them (Kubernetes would refuse it). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'ClusterIssuer',
  'GatewayClass',
  'RuntimeClass',
  'CSIDriver',
  'Node',
  'ClusterPolicy',
]);

/** How the objects of one applied path are changed on the way to the cluster. */
export interface Transform {
  /** Flux targetNamespace: every namespaced object goes there. */
  targetNamespace?: string;
  /** Argo CD destination.namespace: objects that name none go there. */
  defaultNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  /** Flux postBuild variables. */
  variables?: Map<string, string>;
}

/** A document with the cluster's changes applied to a copy of its value; positions stay the source's. */
export function transformed(doc: SourceDocument, t: Transform): SourceDocument {
  if (!t.targetNamespace && !t.defaultNamespace && !t.namePrefix && !t.nameSuffix && !t.variables?.size) return doc;
  let value = structuredClone(doc.value) as Body;
  const metadata = (isObject(value.metadata) ? value.metadata : (value.metadata = {})) as Body;
  if (!CLUSTER_SCOPED.has(value.kind)) {
    if (t.targetNamespace) metadata.namespace = t.targetNamespace;
    else if (t.defaultNamespace && !metadata.namespace) metadata.namespace = t.defaultNamespace;
  }
  if ((t.namePrefix || t.nameSuffix) && typeof metadata.name === 'string') metadata.name = `${t.namePrefix ?? ''}${metadata.name}${t.nameSuffix ?? ''}`;
  const disabled = (r: unknown) => isObject(r) && r['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled';
  if (t.variables?.size && !disabled(metadata.annotations) && !disabled(metadata.labels)) value = substituteVariables(value, t.variables) as Body;
  return { value, index: doc.index, positionOf: doc.positionOf };
}

/**
 * Flux's post-build substitution on every string of an object: `${var}`, `${var:=default}` and
 * `${var:-default}`; `$${var}` stays `${var}`; an unset variable without default becomes empty, as
 * in Flux (https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution).
 */
export function substituteVariables(value: unknown, vars: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?\}/g, (whole, name: string, op: string | undefined, fallback: string | undefined) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      const v = vars.get(name);
      if (v !== undefined && !(op?.startsWith(':') && v === '')) return v;
      return op ? (fallback ?? '') : '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteVariables(v, vars));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteVariables(v, vars)]));
  return value;
}
