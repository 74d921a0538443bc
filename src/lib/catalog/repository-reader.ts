import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isObject } from '../util/is-object.ts';
import type { AppliedDocument, RepositorySettings } from './applied-sources.ts';
import { transformed } from './cluster-transforms.ts';
import { ContentRoot } from './content-files.ts';
import type { Diagnostic, DocPath } from './diagnostics.ts';
import { findKustomize, KUSTOMIZATION_FILES, readKustomizationTree, renderKustomization, type KustomizationTree, type KustomizeTool } from './kustomize.ts';
import type { SourceDocument } from './parsed-file.ts';
import { SourceIndex } from './rendered-sources.ts';
import { diagnosticAt, isToolConfig, listContentFiles } from './resources.ts';
import { decodeSourceBytes, parseDecodedSource, parseSourceText } from './source.ts';

export const FLUX_GROUP = 'kustomize.toolkit.fluxcd.io';
export const ARGO_GROUP = 'argoproj.io';
const API_KINDS = new Set(['hub.traefik.io/API', 'hub.traefik.io/APIVersion', 'tyk.tyk.io/TykOasApiDefinition', 'tyk.tyk.io/ApiDefinition']);

export type Body = Record<string, any>;
export const groupOf = (apiVersion: unknown): string => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
export const isFluxKustomization = (b: Body): boolean => groupOf(b.apiVersion) === FLUX_GROUP && b.kind === 'Kustomization';
export const isArgoApplication = (b: Body): boolean => groupOf(b.apiVersion) === ARGO_GROUP && b.kind === 'Application';
export const isManifestFile = (file: string): boolean => /\.(ya?ml|json)$/i.test(file) && !KUSTOMIZATION_FILES.includes(path.posix.basename(file));
export const dirOf = (file: string): string => (path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file));
export const within = (file: string, dir: string): boolean => dir === '' || file.startsWith(`${dir}/`);

/**
 * The repository's files as Portico reads them for the clusters: parsed once each, kustomizations
 * rendered (or read as written when they cannot be), and each problem reported once.
 */
export class RepositoryReader {
  readonly content: ContentRoot;
  private readonly parsed = new Map<string, SourceDocument[]>();
  private readonly trees = new Map<string, KustomizationTree>();
  /** Every file of the content root, as listContentFiles lists them. */
  readonly files: string[];
  private tool: KustomizeTool | { missing: string } | undefined;
  private toolWarned = false;
  private readonly reported = new Set<string>();
  private readonly root: string;
  readonly diagnostics: Diagnostic[];
  readonly settings: RepositorySettings;

  constructor(root: string, diagnostics: Diagnostic[], settings: RepositorySettings) {
    this.root = root;
    this.diagnostics = diagnostics;
    this.settings = settings;
    this.content = new ContentRoot(root);
    this.files = listContentFiles(root);
  }

  // ---------------------------------------------------------------- rendering

  treeOf(dir: string): KustomizationTree {
    let tree = this.trees.get(dir);
    if (!tree) this.trees.set(dir, (tree = readKustomizationTree(this.content, dir)));
    return tree;
  }

  /**
   * Renders one kustomization folder (with a namespace or name prefix put over it, as Flux and
   * Argo CD do) and places each object at its source. Without kustomize, reads the files it names.
   */
  renderDir(dir: string, over: { namespace?: string; namePrefix?: string; nameSuffix?: string }): { documents: AppliedDocument[]; failed: boolean } {
    const tree = this.treeOf(dir);
    const kfile = tree.kustomizations[0];
    const overlay = over.namespace || over.namePrefix || over.nameSuffix ? over : undefined;
    // Without a build, the files the kustomization names are read as written: one missing file hides nothing else.
    const asWritten = (): AppliedDocument[] =>
      [...tree.manifests].flatMap((f) =>
        this.objectsOf(f).map((doc) => ({
          file: f,
          doc: overlay ? transformed(doc, { targetNamespace: overlay.namespace, namePrefix: overlay.namePrefix, nameSuffix: overlay.nameSuffix }) : doc,
        })),
      );
    if (tree.problems.length > 0) {
      for (const p of tree.problems) this.report({ ...p, hint: `until this is fixed, kustomize cannot build ${dir || '.'}; Portico reads the files it names as written` });
      return { documents: asWritten(), failed: true };
    }
    this.tool ??= findKustomize(this.settings.kustomize);
    if ('missing' in this.tool) {
      if (!this.toolWarned) {
        this.toolWarned = true;
        this.diagnostics.push({
          severity: 'warning',
          rule: 'kustomize',
          file: kfile?.file ?? dir,
          line: 1,
          column: 1,
          message: `this repository has kustomizations, and kustomize is needed to read them as the cluster gets them, but ${this.tool.missing}; Portico reads the plain files they name instead (without their namespace, name prefixes or generated ConfigMaps)`,
          hint: 'install kubectl (it embeds kustomize) or kustomize, or set PORTICO_KUSTOMIZE to one of them',
        });
      }
      return { documents: asWritten(), failed: false };
    }
    const inputs = new Set([...tree.inputs, ...this.files.filter((f) => within(f, dir))]);
    const absDir = path.join(this.root, dir);
    let temp: string | undefined;
    const buildDir = (): string => {
      if (!overlay) return absDir;
      temp = mkdtempSync(path.join(os.tmpdir(), 'portico-kustomize-'));
      const lines = [`resources:\n  - ${JSON.stringify(path.relative(temp, absDir))}`];
      if (overlay.namespace) lines.push(`namespace: ${JSON.stringify(overlay.namespace)}`);
      if (overlay.namePrefix) lines.push(`namePrefix: ${JSON.stringify(overlay.namePrefix)}`);
      if (overlay.nameSuffix) lines.push(`nameSuffix: ${JSON.stringify(overlay.nameSuffix)}`);
      writeFileSync(path.join(temp, 'kustomization.yaml'), `${lines.join('\n')}\n`);
      return temp;
    };
    let result;
    try {
      result = renderKustomization(this.tool, this.root, buildDir, JSON.stringify({ dir, overlay }), inputs, this.settings.cacheDir);
    } finally {
      if (temp) rmSync(temp, { recursive: true, force: true });
    }
    if (!result.ok) {
      // Point at the entry kustomize's message is about: the path it names, else the patches when a patch failed.
      const entry =
        kfile?.entries.find((e) => result.message.includes(e.ref.replace(/^\.\//, ''))) ??
        (/patch/i.test(result.message) ? kfile?.entries.find((e) => String(e.at[0]).startsWith('patches')) : undefined);
      if (kfile)
        this.report(
          diagnosticAt(
            kfile.file,
            kfile.doc,
            entry?.at ?? [],
            'error',
            'kustomize',
            `kustomize cannot build ${dir || '.'}: ${result.message}`,
            'Portico reads the files this kustomization names as written until it builds',
          ),
        );
      return { documents: asWritten(), failed: true };
    }
    const parsed = parseSourceText(result.yaml, 'rendered.yaml');
    const index = new SourceIndex(tree, (f) => this.objectsOf(f));
    return { documents: parsed.documents.filter((d) => isObject(d.value)).map((d) => index.place(d.value as Body)), failed: false };
  }

  // ---------------------------------------------------------------- helpers

  /** The parsed documents of a file (cached), or none when it cannot be read. */
  documentsOf(file: string): SourceDocument[] {
    let docs = this.parsed.get(file);
    if (!docs) {
      const read = this.content.read(file);
      docs = read.ok ? parseDecodedSource(decodeSourceBytes(read.bytes), file).documents : [];
      this.parsed.set(file, docs);
    }
    return docs;
  }

  /** The Kubernetes objects of a file (not OpenAPI documents, fragments or tool configs). */
  objectsOf(file: string): SourceDocument[] {
    return this.documentsOf(file).filter((d) => isObject(d.value) && typeof d.value.apiVersion === 'string' && typeof d.value.kind === 'string' && !isToolConfig(d.value.apiVersion, d.value.kind));
  }

  appliesApis(files: Iterable<string>): boolean {
    for (const f of files) {
      if (!isManifestFile(f)) continue;
      const read = this.content.read(f);
      if (!read.ok || (!read.bytes.includes('hub.traefik.io') && !read.bytes.includes('tyk.tyk.io'))) continue;
      if (this.objectsOf(f).some((d) => API_KINDS.has(`${groupOf((d.value as Body).apiVersion)}/${(d.value as Body).kind}`))) return true;
    }
    return false;
  }

  /** Sources Portico does not render (Helm releases), named once each as warnings. */
  reportSkipped(documents: AppliedDocument[]): void {
    for (const d of documents) {
      const b = d.doc.value as Body;
      if (groupOf(b.apiVersion) === 'helm.toolkit.fluxcd.io' && b.kind === 'HelmRelease') {
        const chart = b.spec?.chart?.spec?.chart ?? b.spec?.chartRef?.name ?? 'its chart';
        this.warnOnce(
          d,
          [],
          `HelmRelease ${b.metadata?.namespace ?? 'default'}/${b.metadata?.name} is rendered by Helm in the cluster; Portico does not render Helm charts, so what ${chart} creates is not read`,
        );
      }
    }
  }

  warnOnce(at: AppliedDocument, docPath: DocPath, message: string): void {
    // A warning about the whole object sits at its kind, like the object's own source reference.
    const d = diagnosticAt(at.file, at.doc, docPath.length ? docPath : ['kind'], 'warning', 'gitops', message);
    this.report(docPath.length ? d : { ...d, path: undefined });
  }

  /** Adds a diagnostic unless the same one was added already (a kustomization read by two units). */
  private report(d: Diagnostic): void {
    const key = `${d.file}:${d.line}:${d.column}:${d.message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push(d);
  }
}
