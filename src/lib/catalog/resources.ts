import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ContentRoot } from './content-files.ts';
import type { Diagnostic, DocPath, Severity } from './diagnostics.ts';
import type { ResourceId, SourceRef } from './model.ts';
import { declaredOpenApiVersion } from './openapi.ts';
import type { ParsedFile, SourceDocument } from './parsed-file.ts';
import { decodeSourceBytes, parseDecodedSource } from './source.ts';
import { sha256Hex, type SpecCache } from './spec-cache.ts';
import type { AppliedSources } from './applied-sources.ts';

/** A Kubernetes document read from the content repo, with what is needed to point at its fields. */
export interface Resource {
  id: ResourceId;
  /** `group/kind/namespace/name`: the identity DESIGN.md fixes. */
  identity: string;
  apiVersion: string;
  body: Record<string, any>;
  spec: Record<string, any>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  file: string;
  doc: SourceDocument;
}

/** Everything read from the content root, before it is turned into a catalog. */
export interface ContentScan {
  resources: Resource[];
  /** Files that hold OpenAPI documents, parsed once and shared with the bundler. */
  parsedFiles: Map<string, { text: string; parsed: ParsedFile }>;
  /** Content hash of each file read (relative path -> sha256), for the spec cache. */
  fileHashes: Map<string, string>;
  markdownFiles: string[];
  files: number;
  documents: number;
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.data', '.cache', '.astro']);

/** A symbolic link below the root that leads outside it: listed so it can be reported, never read. */
export interface RefusedLink {
  file: string;
  kind: 'file' | 'folder';
}

/**
 * Lists files below `root` (relative, with forward slashes), skipping dot-folders and build output.
 * A symbolic link is listed only when its real path is inside the root; one that leads outside goes
 * to `onRefused` instead. Linked folders are not entered (a link to a parent would loop).
 */
export function listContentFiles(root: string, onRefused?: (link: RefusedLink) => void): string[] {
  const out: string[] = [];
  const content = new ContentRoot(root);
  const visit = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
      const abs = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(abs, relPath);
      else if (entry.isFile()) out.push(relPath);
      else if (entry.isSymbolicLink()) {
        const target = statSync(abs, { throwIfNoEntry: false });
        if (!target || (!target.isFile() && !target.isDirectory())) continue;
        if (content.locate(relPath).where === 'outside') onRefused?.({ file: relPath, kind: target.isFile() ? 'file' : 'folder' });
        else if (target.isFile()) out.push(relPath);
      }
    }
  };
  visit(content.root, '');
  return out;
}

/** Creates a diagnostic placed at `docPath` inside a parsed document. */
export function diagnosticAt(file: string, doc: SourceDocument | undefined, docPath: DocPath, severity: Severity, rule: string, message: string, hint?: string): Diagnostic {
  const pos = doc ? doc.positionOf(docPath) : { line: 1, column: 1 };
  return { severity, rule, message, file, line: pos.line, column: pos.column, path: docPath.length ? docPath : undefined, hint };
}

/** The source reference of a resource: the position of its `kind`. */
export function sourceOf(resource: Resource): SourceRef {
  const pos = resource.doc.positionOf(['kind']);
  return { file: resource.file, line: pos.line, column: pos.column };
}

/**
 * Reads every YAML and JSON file below the root. Kubernetes documents become resources;
 * OpenAPI documents are kept parsed for the bundler; anything unreadable becomes a diagnostic.
 * With `applied` (a repository of kustomizations or clusters, ./applied-sources.ts), resources come
 * from the objects the cluster gets and from the files it says are read as written.
 */
export function scanContent(root: string, diagnostics: Diagnostic[], cache?: SpecCache, applied?: AppliedSources): ContentScan {
  const resources: Resource[] = [];
  const parsedFiles = new Map<string, { text: string; parsed: ParsedFile }>();
  const fileHashes = new Map<string, string>();
  const markdownFiles: string[] = [];
  let files = 0;
  let documents = 0;
  const seen = new Map<string, Resource>();

  const content = new ContentRoot(root);
  const refuse = (link: RefusedLink): void => {
    if (link.kind === 'file' && !/\.(ya?ml|json|md)$/i.test(link.file)) return; // a file Portico would not read anyway
    diagnostics.push({
      severity: 'error',
      rule: 'yaml',
      file: link.file,
      line: 1,
      column: 1,
      message: `this ${link.kind} is a symbolic link that leads outside the content root, so Portico does not read it`,
      hint: 'keep the file itself in the repository, or link to a place inside the content root',
    });
  };
  for (const file of listContentFiles(root, refuse)) {
    if (/\.md$/i.test(file)) {
      markdownFiles.push(file);
      continue;
    }
    if (!/\.(ya?ml|json)$/i.test(file)) continue;
    files++;
    const read = content.read(file);
    if (!read.ok) {
      if (read.reason === 'outside') refuse({ file, kind: 'file' });
      else diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot read file: ${read.code ?? read.reason}`, file, line: 1, column: 1 });
      continue;
    }
    const decoded = decodeSourceBytes(read.bytes);
    const text = decoded.text;
    const sha = sha256Hex(text);
    fileHashes.set(file, sha);
    // A large spec seen before is not parsed here: the bundler or the spec cache deals with it.
    if (cache?.kindOf(sha) === 'openapi') continue;
    const parsed = parseDecodedSource(decoded, file);
    for (const err of parsed.errors) {
      diagnostics.push({ severity: 'error', rule: 'yaml', message: `cannot parse ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${err.message}`, file, ...err.position });
    }
    for (const finding of parsed.findings) {
      diagnostics.push({ severity: finding.severity, rule: 'yaml', message: finding.message, file, ...finding.position });
    }
    let holdsOpenApi = false;
    for (const doc of parsed.documents) {
      documents++;
      const value = doc.value;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      const body = value as Record<string, any>;
      if (declaredOpenApiVersion(body) !== undefined && body.kind === undefined) {
        holdsOpenApi = true;
        continue;
      }
      if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string') continue; // a fragment of a multi-file spec, Helm values, or other data
      if (applied && !applied.readsPlain(file)) continue; // read as the cluster gets it, below
      addResource(file, doc, body);
    }
    if (holdsOpenApi) parsedFiles.set(file, { text, parsed });
    // A file with findings is parsed every time, so they are reported every time.
    cache?.rememberKind(sha, holdsOpenApi && parsed.documents.length === 1 && parsed.findings.length === 0 ? 'openapi' : 'other');
  }
  for (const { file, doc } of applied?.documents ?? []) {
    documents++;
    addResource(file, doc, doc.value as Record<string, any>);
  }
  return { resources, parsedFiles, fileHashes, markdownFiles, files, documents };

  /** Makes a resource of a Kubernetes document, reporting a missing name or a second definition. */
  function addResource(file: string, doc: SourceDocument, body: Record<string, any>): void {
    if (typeof body.apiVersion !== 'string' || typeof body.kind !== 'string' || isToolConfig(body.apiVersion, body.kind)) return;
    const metadata = body.metadata && typeof body.metadata === 'object' ? body.metadata : {};
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    if (!name) {
      diagnostics.push(diagnosticAt(file, doc, ['metadata'], 'error', 'resource', `${body.kind} has no metadata.name`));
      return;
    }
    const group = body.apiVersion.includes('/') ? body.apiVersion.split('/')[0]! : '';
    const namespace = typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : 'default';
    const id: ResourceId = { group, kind: body.kind, namespace, name };
    const identity = `${group}/${body.kind}/${namespace}/${name}`;
    const resource: Resource = {
      id,
      identity,
      apiVersion: body.apiVersion,
      body,
      spec: body.spec && typeof body.spec === 'object' ? body.spec : {},
      labels: stringRecord(metadata.labels),
      annotations: stringRecord(metadata.annotations),
      file,
      doc,
    };
    const previous = seen.get(identity);
    if (previous) {
      const prevPos = previous.doc.positionOf(['metadata', 'name']);
      diagnostics.push(
        diagnosticAt(file, doc, ['metadata', 'name'], 'error', 'duplicate', `${body.kind} "${namespace}/${name}" is defined twice; the first definition (${previous.file}:${prevPos.line}) is used`),
      );
      return;
    }
    seen.set(identity, resource);
    resources.push(resource);
  }
}

/** API groups of files that configure a tool and are never applied to a cluster, so they need no metadata.name. */
const TOOL_CONFIG_GROUPS = new Set([
  'kustomize.config.k8s.io', // kustomization.yaml: Kustomization, Component
  'kind.x-k8s.io', // kind's Cluster
  'k3d.io', // k3d's Simple
  'kubeadm.k8s.io',
  'controller-runtime.sigs.k8s.io', // ControllerManagerConfig, fed to a ConfigMap generator
]);

/**
 * Is this document the configuration of a tool (kustomize, kind, k3d, kubeadm, a component config,
 * a kubeconfig, Skaffold) rather than a Kubernetes object? Such files sit in GitOps repositories
 * next to the manifests; reading them as resources would report each as broken ("no metadata.name").
 */
export function isToolConfig(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  if (TOOL_CONFIG_GROUPS.has(group) || group.endsWith('.config.k8s.io')) return true; // kubelet, kube-proxy, apiserver component configs
  if (group === 'skaffold') return true;
  return apiVersion === 'v1' && kind === 'Config'; // a kubeconfig
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}
