import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config.ts';

// DESIGN.md section 5: "an OCI image, a Kustomize base that Flux or Argo CD apply". The manifests in
// deploy/ are rendered by real kubectl and every object is checked against the Kubernetes schemas
// kept in tests/fixtures/kubernetes-schemas (see its PROVENANCE.md), strict: an unknown field fails.
const root = path.resolve(import.meta.dirname, '../..');
const deploy = path.join(root, 'deploy');
const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** Renders a kustomization with kubectl, as Flux's kustomize-controller and Argo CD do. */
function render(dir: string): K8sObject[] {
  if (!kubectl) throw new Error('kubectl is needed to render deploy/kubernetes (not found in /usr/bin or /usr/local/bin); install it, CI has it');
  const yaml = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((doc) => doc.toJS() as K8sObject);
}

const schemas = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/kubernetes-schemas/kubernetes-schemas.json'), 'utf8')) as {
  kinds: Record<string, object>;
  definitions: Record<string, object>;
};
// Kubernetes' OpenAPI names formats (int32, int-or-string, byte) that JSON Schema does not define.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

/** The schema errors of one object, as `Kind/name: /path message` lines; an unknown kind is one too. */
function schemaErrors(object: K8sObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = schemas.kinds[key];
  if (!schema) return [`${key}/${object.metadata?.name}: no schema kept for this kind`];
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = ajv.compile({ ...schema, definitions: schemas.definitions })));
  const data: unknown = object; // validate() is a type guard; keep `object` typed for the messages
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${object.kind}/${object.metadata?.name}: ${e.instancePath || '/'} ${e.message}${extra ? ` (${extra})` : ''}`;
  });
}

const find = <T = K8sObject>(objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind) as T;

interface Container {
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  envFrom: Array<{ configMapRef: { name: string } }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  ports: Array<{ name: string; containerPort: number }>;
}
interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { securityContext: Record<string, unknown>; containers: Container[]; volumes: Array<{ name: string; emptyDir?: object; secret?: { secretName: string } }> };
    };
  };
}

let base: K8sObject[];
let overlay: K8sObject[];
beforeAll(() => {
  base = render(path.join(deploy, 'kubernetes/base'));
  overlay = render(path.join(deploy, 'kubernetes/overlays/example'));
});

describe('the Kustomize base and the example overlay', () => {
  it('render to objects that all match the Kubernetes schemas', () => {
    expect(base.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect(overlay.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect([...base, ...overlay].flatMap(schemaErrors)).toEqual([]);
  });

  it('are checked strictly: a misspelt field fails', () => {
    const deployment = structuredClone(find<Deployment>(base, 'Deployment'));
    (deployment.spec.template.spec.containers[0]!.securityContext as Record<string, unknown>).readOnlyRootFileSystem = true;
    (deployment.spec as Record<string, unknown>).replicas = 'two';
    expect(schemaErrors(deployment)).toEqual([
      'Deployment/portico: /spec/replicas must be integer',
      'Deployment/portico: /spec/template/spec/containers/0/securityContext must NOT have additional properties (readOnlyRootFileSystem)',
    ]);
  });

  it('run two replicas that are probed on /healthz and /readyz, with resources', () => {
    const deployment = find<Deployment>(base, 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 4321, protocol: 'TCP' }]);
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '256Mi' });
    expect(container.resources.limits.memory).toBe('768Mi');
  });

  it('run as a non-root user, on a read-only root file system, with no capabilities and the runtime seccomp profile', () => {
    const pod = find<Deployment>(overlay, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // The only writable places: the data folder's parent and /tmp, both emptyDir.
    const mounts = pod.containers[0]!.volumeMounts;
    const writable = pod.volumes.filter((v) => v.emptyDir).map((v) => mounts.find((m) => m.name === v.name)!.mountPath);
    expect(writable.sort()).toEqual(['/tmp', '/var/lib/portico']);
    const settings = find<K8sObject & { data: Record<string, string> }>(overlay, 'ConfigMap').data;
    expect(settings.PORTICO_DATA_DIR).toBe('/var/lib/portico/data');
    // The namespace admits restricted pods only.
    expect(find(overlay, 'Namespace').metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('select the pods they mean: Service and PodDisruptionBudget', () => {
    for (const objects of [base, overlay]) {
      const deployment = find<Deployment>(objects, 'Deployment');
      const podLabels = deployment.spec.template.metadata.labels;
      const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
      expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
      const service = find<K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } }>(objects, 'Service');
      expect(selects(service.spec.selector)).toBe(true);
      expect(service.spec.ports[0]!.targetPort).toBe('http');
      const budget = find<K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } }>(objects, 'PodDisruptionBudget');
      expect(selects(budget.spec.selector.matchLabels)).toBe(true);
      expect(budget.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    }
  });

  it('put every object of the overlay in its namespace, with its image', () => {
    for (const o of overlay.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('portico');
    expect(find<Deployment>(overlay, 'Deployment').spec.template.spec.containers[0]).toMatchObject({ image: 'registry.example.com/platform/portico:0.1.0' });
  });
});

describe('the settings the overlay gives Portico', () => {
  let secretsDir: string;
  beforeAll(() => (secretsDir = mkdtempSync(path.join(tmpdir(), 'portico-deploy-secrets-'))));
  afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

  it('take secrets from files of the mounted Secret or from secretKeyRef, never as plain values', () => {
    const deployment = find<Deployment>(overlay, 'Deployment');
    const container = deployment.spec.template.spec.containers[0]!;
    const secretVolume = deployment.spec.template.spec.volumes.find((v) => v.secret)!;
    const secretMount = container.volumeMounts.find((m) => m.name === secretVolume.name)!.mountPath;
    const files = container.env.filter((e) => e.name.endsWith('_FILE'));
    expect(files.map((e) => e.name).sort()).toEqual([
      'DATABASE_URL_FILE',
      'PORTICO_AGE_RECIPIENTS_FILE',
      'PORTICO_METRICS_TOKEN_FILE',
      'PORTICO_OIDC_CLIENT_SECRET_FILE',
      'PORTICO_WEBHOOK_SECRET_FILE',
    ]);
    for (const e of files) expect(path.dirname(e.value!), e.name).toBe(secretMount);
    expect(container.env.find((e) => e.name === 'PORTICO_GIT_TOKEN')).toEqual({ name: 'PORTICO_GIT_TOKEN', valueFrom: { secretKeyRef: { name: 'portico-git', key: 'token' } } });
    const settings = find<K8sObject & { data: Record<string, string> }>(overlay, 'ConfigMap').data;
    for (const name of Object.keys(settings)) expect(name, 'a secret in the ConfigMap').not.toMatch(/SECRET|TOKEN|PASSWORD|DATABASE_URL/);
  });

  it('are a configuration Portico accepts, two replicas on PostgreSQL', async () => {
    const deployment = find<Deployment>(overlay, 'Deployment');
    const container = deployment.spec.template.spec.containers[0]!;
    const settings = find<K8sObject & { data: Record<string, string> }>(overlay, 'ConfigMap').data;
    // What the platform's Secrets would hold, as files at the paths the pod mounts them.
    const recipient = await identityToRecipient(await generateIdentity());
    const secretValues: Record<string, string> = {
      'database-url': 'postgres://portico:pw@postgres.portico.svc:5432/portico',
      'metrics-token': 'a-metrics-token-of-32-characters',
      'oidc-client-secret': 'client-secret',
      'age-recipients': recipient,
      'webhook-secret': 'a-webhook-secret-for-the-git-host',
    };
    const env: Record<string, string> = { ...settings };
    for (const e of container.env) {
      if (e.valueFrom) env[e.name] = 'a-git-token';
      else if (e.name.endsWith('_FILE')) {
        const file = path.join(secretsDir, path.basename(e.value!));
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${secretValues[path.basename(e.value!)]}\n`);
        env[e.name] = file;
      } else env[e.name] = e.value!;
    }
    const config = loadConfig(env, '/');
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 4321,
      dataDir: '/var/lib/portico/data',
      databaseUrl: 'postgres://portico:pw@postgres.portico.svc:5432/portico',
      publicUrl: 'https://developers.example.com',
      ageRecipients: [recipient],
      metricsToken: 'a-metrics-token-of-32-characters',
      git: { url: 'https://git.example.com/platform/gitops.git', branch: 'main', token: 'a-git-token' },
    });
    expect(config.oidc).toMatchObject({ issuer: 'https://id.example.com/realms/platform', clientId: 'portico', clientSecret: 'client-secret' });
    // The docs follow the remote's branch, checked every minute and on a push (decision record 19).
    expect(config.docs).toEqual({
      url: 'https://git.example.com/platform/gitops.git',
      branch: 'main',
      path: '.',
      token: 'a-git-token',
      pollSeconds: 60,
      webhookSecret: 'a-webhook-secret-for-the-git-host',
    });
    // A pod builds beside its server: the overlay gives it the memory of a build too.
    expect(container.resources.limits.memory).toBe('2Gi');
    // The same settings without DATABASE_URL: two replicas cannot share the embedded database.
    const { DATABASE_URL_FILE: _dropped, ...withoutDatabase } = env;
    expect(() => loadConfig(withoutDatabase, '/')).toThrow('PORTICO_REPLICAS=2 needs DATABASE_URL');
  });
});

// Flux's Kustomization and Argo CD's Application are checked against their own CRDs' schemas
// (tests/fixtures/kubernetes-schemas/crd-schemas.json), made strict here the way the Kubernetes
// schemas are: where a schema lists properties and keeps no unknown fields, another field fails
// (the API server would silently drop it).
const crds = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/kubernetes-schemas/crd-schemas.json'), 'utf8')) as { kinds: Record<string, object> };
const strictCrd = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(strictCrd);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([name, sub]) => [name, strictCrd(sub)])) : strictCrd(v)]),
  ) as Record<string, unknown>;
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
};

/** The CRD schema errors of a Flux or Argo CD object; an unknown kind is one too. */
function crdErrors(object: Record<string, any>): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = crds.kinds[key];
  if (!schema) return [`${key}: no CRD schema kept for this kind`];
  const validate = ajv.compile(strictCrd(schema) as object);
  const data: unknown = object;
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${object.kind}/${object.metadata?.name}: ${e.instancePath || '/'} ${e.message}${(e.params as { additionalProperty?: string }).additionalProperty ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`,
  );
}

describe('the Flux and Argo CD examples', () => {
  const read = (file: string) => parseAllDocuments(readFileSync(path.join(deploy, file), 'utf8')).map((d) => d.toJS() as Record<string, any>);

  it('match their CRDs, strictly: a misspelt field fails', () => {
    const [kustomization] = read('flux/portico.yaml');
    const [application] = read('argocd/portico.yaml');
    expect([...crdErrors(kustomization!), ...crdErrors(application!)]).toEqual([]);
    expect(crdErrors({ ...kustomization!, spec: { ...kustomization!.spec, prunne: true } })).toEqual(['Kustomization/portico: /spec must NOT have additional properties (prunne)']);
    expect(crdErrors({ ...application!, spec: { ...application!.spec, source: { ...application!.spec.source, targetRevision: 3 } } })).toEqual([
      'Application/portico: /spec/source/targetRevision must be string',
    ]);
  });

  it('a Flux Kustomization applies the example overlay', () => {
    const [k] = read('flux/portico.yaml');
    expect(k).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'portico', namespace: 'flux-system' } });
    expect(k!.spec).toMatchObject({ interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'platform' }, decryption: { provider: 'sops', secretRef: { name: 'sops-age' } } });
    expect(existsSync(path.join(root, k!.spec.path, 'kustomization.yaml'))).toBe(true);
  });

  it('an Argo CD Application applies the example overlay', () => {
    const [app] = read('argocd/portico.yaml');
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'portico', namespace: 'argocd' } });
    expect(app!.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'portico' });
    expect(app!.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(existsSync(path.join(root, app!.spec.source.path, 'kustomization.yaml'))).toBe(true);
  });
});
