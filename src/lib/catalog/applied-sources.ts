import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chooseCluster, type ClusterCandidate } from './clusters.ts';
import { ContentRoot } from './content-files.ts';
import type { Diagnostic, DocPath } from './diagnostics.ts';
import { findKustomize, KUSTOMIZATION_FILES, readKustomizationTree, renderKustomization, type KustomizationTree, type KustomizeTool } from './kustomize.ts';
import { diagnosticAt, isToolConfig, listContentFiles } from './resources.ts';
import type { SourceDocument } from './parsed-file.ts';
import { decodeSourceBytes, parseDecodedSource, parseSourceText } from './source.ts';
import { isObject } from '../util/is-object.ts';

/** One object as the cluster gets it, placed at the document (or generator entry) it comes from. */
export interface AppliedDocument {
  file: string;
  doc: SourceDocument;
}

/** What a repository applies, for scanContent: which files are read as written, and the rendered objects. */
export interface AppliedSources {
  /** Whether the Kubernetes documents of this file are read as written (files no kustomization or cluster owns). */
  readsPlain(file: string): boolean;
  /** Objects rendered by kustomize or applied by a Flux Kustomization / Argo CD Application, with their source positions. */
  documents: AppliedDocument[];
  /** The cluster or kustomization documented, when the repository has several. */
  cluster?: string;
}

/** Settings of repository reading (README, "Point Portico at your repository"). */
export interface RepositorySettings {
  /** PORTICO_CLUSTER: the cluster folder (or kustomization) to document. */
  cluster?: string;
  /** PORTICO_KUSTOMIZE: a kustomize or kubectl binary. */
  kustomize?: string;
  /** PORTICO_GIT_DIRECTORY: the portal's own folder, which tells its cluster. */
  portalFolder?: string;
  /** Where renders are cached (the data directory's cache). */
  cacheDir?: string;
}

const FLUX_GROUP = 'kustomize.toolkit.fluxcd.io';
const ARGO_GROUP = 'argoproj.io';
const API_KINDS = new Set(['hub.traefik.io/API', 'hub.traefik.io/APIVersion', 'tyk.tyk.io/TykOasApiDefinition', 'tyk.tyk.io/ApiDefinition']);

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

type Body = Record<string, any>;
const groupOf = (apiVersion: unknown): string => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const isFluxKustomization = (b: Body): boolean => groupOf(b.apiVersion) === FLUX_GROUP && b.kind === 'Kustomization';
const isArgoApplication = (b: Body): boolean => groupOf(b.apiVersion) === ARGO_GROUP && b.kind === 'Application';
const isManifestFile = (file: string): boolean => /\.(ya?ml|json)$/i.test(file) && !KUSTOMIZATION_FILES.includes(path.posix.basename(file));
const dirOf = (file: string): string => (path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file));
const within = (file: string, dir: string): boolean => dir === '' || file.startsWith(`${dir}/`);

/** How the objects of one applied path are changed on the way to the cluster. */
interface Transform {
  /** Flux targetNamespace: every namespaced object goes there. */
  targetNamespace?: string;
  /** Argo CD destination.namespace: objects that name none go there. */
  defaultNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  /** Flux postBuild variables. */
  variables?: Map<string, string>;
}

/** A path that a Flux Kustomization or Argo CD Application applies. */
interface Unit {
  origin: AppliedDocument;
  label: string;
  dir: string;
  /** Argo CD reads subfolders only with directory.recurse; Flux always does. */
  recurse: boolean;
  transform: Transform;
}

/**
 * Reads the repository the way its clusters get it (decision record 11). Returns undefined for a
 * repository of plain folders (no kustomization, no Flux or Argo CD object): it is read file by file.
 */
export function planAppliedSources(root: string, diagnostics: Diagnostic[], settings: RepositorySettings = {}): AppliedSources | undefined {
  return new RepositoryReader(root, diagnostics, settings).plan();
}

class RepositoryReader {
  private readonly content: ContentRoot;
  private readonly parsed = new Map<string, SourceDocument[]>();
  private readonly trees = new Map<string, KustomizationTree>();
  private files: string[] = [];
  private tool: KustomizeTool | { missing: string } | undefined;
  private toolWarned = false;
  private readonly reported = new Set<string>();
  private readonly root: string;
  private readonly diagnostics: Diagnostic[];
  private readonly settings: RepositorySettings;

  constructor(root: string, diagnostics: Diagnostic[], settings: RepositorySettings) {
    this.root = root;
    this.diagnostics = diagnostics;
    this.settings = settings;
    this.content = new ContentRoot(root);
  }

  plan(): AppliedSources | undefined {
    this.files = listContentFiles(this.root);
    const kustomizationDirs = [...new Set(this.files.filter((f) => KUSTOMIZATION_FILES.includes(path.posix.basename(f))).map(dirOf))].sort();
    const entries: AppliedDocument[] = [];
    for (const file of this.files) {
      if (!isManifestFile(file)) continue;
      const read = this.content.read(file);
      if (!read.ok) continue;
      // A byte search, not a parse: most files of a repository are neither.
      if (!read.bytes.includes(FLUX_GROUP) && !read.bytes.includes(ARGO_GROUP)) continue;
      for (const doc of this.documentsOf(file)) if (isObject(doc.value) && (isFluxKustomization(doc.value) || isArgoApplication(doc.value))) entries.push({ file, doc });
    }
    if (entries.length > 0) return this.planClusters(entries);
    if (kustomizationDirs.length > 0) return this.planKustomizations(kustomizationDirs);
    return undefined;
  }

  // ---------------------------------------------------------------- Flux and Argo CD clusters

  /** A cluster is the folder of the Flux/Argo objects that no other such object applies (decision record 11). */
  private planClusters(entries: AppliedDocument[]): AppliedSources {
    const units = new Map(entries.map((e) => [e, this.unitOf(e, false)]));
    const covered = new Map(entries.map((e) => [e, this.coveredBy(units.get(e))]));
    const isRoot = (e: AppliedDocument): boolean => !entries.some((p) => p !== e && covered.get(p)!.has(e.file) && !covered.get(e)!.has(p.file));
    let roots = entries.filter(isRoot);
    if (roots.length === 0) roots = entries;
    // A bootstrapped cluster applies its own folder (flux-system's path is ./clusters/production).
    const folderOf = (e: AppliedDocument): string => (covered.get(e)!.has(e.file) && units.get(e) ? units.get(e)!.dir : dirOf(e.file));
    const folders = new Map<string, AppliedDocument[]>();
    for (const r of roots) {
      const f = folderOf(r);
      folders.set(f, [...(folders.get(f) ?? []), r]);
    }
    const names = [...folders.keys()].sort((a, b) => a.length - b.length);
    for (const f of names) {
      const outer = names.find((g) => g !== f && folders.has(g) && within(f, g));
      if (outer !== undefined) folders.set(outer, [...folders.get(outer)!, ...folders.get(f)!]), folders.delete(f);
    }
    // What a cluster applies: its roots' paths, and the paths of every Flux/Argo object found there, transitively.
    const closure = (rs: AppliedDocument[]): Set<string> => {
      const files = new Set<string>();
      const todo = [...rs];
      const seen = new Set<AppliedDocument>();
      while (todo.length > 0) {
        const e = todo.pop()!;
        if (seen.has(e)) continue;
        seen.add(e);
        for (const f of covered.get(e)!) files.add(f);
        for (const other of entries) if (!seen.has(other) && files.has(other.file)) todo.push(other);
      }
      return files;
    };
    const candidates: Array<ClusterCandidate & { roots: AppliedDocument[] }> = [...folders].map(([folder, rs]) => {
      const files = closure(rs);
      const at = rs[0]!.doc.positionOf(['kind']);
      return { name: folder || '.', at: { file: rs[0]!.file, ...at }, files, appliesApis: this.appliesApis(files), roots: rs };
    });
    const chosen = chooseCluster(candidates, this.settings, 'clusters', this.diagnostics) as (typeof candidates)[number];
    const documents: AppliedDocument[] = [];
    const queue = [...chosen.roots];
    const done = new Set<string>();
    while (queue.length > 0) {
      const entry = queue.shift()!;
      const b = entry.doc.value as Body;
      const identity = `${b.apiVersion}/${b.kind}/${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
      if (done.has(identity)) continue;
      done.add(identity);
      const unit = this.unitOf(entry, true);
      if (!unit) continue;
      for (const obj of this.readUnit(unit)) {
        documents.push(obj);
        const v = obj.doc.value as Body;
        if (isFluxKustomization(v) || isArgoApplication(v)) queue.push(obj);
      }
    }
    this.reportSkipped(documents);
    return { readsPlain: () => false, documents, cluster: chosen.name };
  }

  /** The path a Flux Kustomization or Argo CD Application applies, and how; undefined (reported) when Portico cannot read it. */
  private unitOf(entry: AppliedDocument, report: boolean): Unit | undefined {
    const b = entry.doc.value as Body;
    const spec = isObject(b.spec) ? b.spec : {};
    const label = `${b.kind} ${b.metadata?.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata?.name ?? '?'}`;
    const skip = (at: DocPath, why: string): undefined => {
      if (report) this.warnOnce(entry, at, `${label} ${why}; Portico does not read what it applies`);
      return undefined;
    };
    let rawPath: unknown;
    let pathAt: DocPath;
    let recurse = true;
    const transform: Transform = {};
    if (isFluxKustomization(b)) {
      rawPath = spec.path ?? './';
      pathAt = ['spec', 'path'];
      if (typeof spec.targetNamespace === 'string' && spec.targetNamespace) transform.targetNamespace = spec.targetNamespace;
      if (typeof spec.namePrefix === 'string') transform.namePrefix = spec.namePrefix;
      if (typeof spec.nameSuffix === 'string') transform.nameSuffix = spec.nameSuffix;
      if (report && isObject(spec.postBuild)) transform.variables = this.variablesOf(entry, spec.postBuild);
    } else {
      const sources: Body[] = isObject(spec.source) ? [spec.source] : Array.isArray(spec.sources) ? spec.sources.filter(isObject) : [];
      const i = sources.findIndex((s) => typeof s.path === 'string');
      const source = sources[i];
      const sourceAt: DocPath = isObject(spec.source) ? ['spec', 'source'] : ['spec', 'sources', Math.max(i, 0)];
      if (!source) return skip(sourceAt, sources.some((s) => s.chart) ? 'installs a Helm chart from a chart repository' : 'has no Git path source');
      if (source.chart || isObject(source.helm)) return skip(sourceAt, 'renders a Helm chart');
      rawPath = source.path;
      pathAt = [...sourceAt, 'path'];
      recurse = source.directory?.recurse === true;
      if (typeof spec.destination?.namespace === 'string' && spec.destination.namespace) transform.defaultNamespace = spec.destination.namespace;
      if (typeof source.kustomize?.namePrefix === 'string') transform.namePrefix = source.kustomize.namePrefix;
      if (typeof source.kustomize?.nameSuffix === 'string') transform.nameSuffix = source.kustomize.nameSuffix;
    }
    if (typeof rawPath !== 'string') return skip(pathAt, 'has no path');
    const dir = path.posix.normalize(rawPath.replace(/^\.?\/+/, '') || '.');
    if (dir === '..' || dir.startsWith('../') || path.posix.isAbsolute(dir)) return skip(pathAt, `applies ${rawPath}, which is outside the repository`);
    const rel = dir === '.' ? '' : dir;
    if (!this.files.some((f) => within(f, rel))) return skip(pathAt, `applies ${rawPath}, which is not in this repository (another source, or a path that does not exist)`);
    return { origin: entry, label, dir: rel, recurse, transform };
  }

  /** Flux postBuild variables: substituteFrom ConfigMaps found in the repository, then substitute, which wins. */
  private variablesOf(entry: AppliedDocument, postBuild: Body): Map<string, string> {
    const vars = new Map<string, string>();
    const namespace = (entry.doc.value as Body).metadata?.namespace;
    (Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []).forEach((ref: any, i: number) => {
      const at = ['spec', 'postBuild', 'substituteFrom', i];
      if (ref?.kind === 'Secret') {
        this.warnOnce(entry, at, `substituteFrom names Secret ${ref?.name}; Portico does not read Secrets, so the variables it holds stay unset in the docs`);
        return;
      }
      const cm = this.findConfigMap(String(ref?.name ?? ''), namespace);
      if (!cm) {
        if (ref?.optional !== true) this.warnOnce(entry, at, `substituteFrom names ConfigMap ${ref?.name}, which is not in the repository, so the variables it holds stay unset in the docs`);
        return;
      }
      for (const [k, v] of Object.entries(isObject(cm.data) ? cm.data : {})) vars.set(k, String(v));
    });
    for (const [k, v] of Object.entries(isObject(postBuild.substitute) ? postBuild.substitute : {})) vars.set(k, String(v));
    return vars;
  }

  private findConfigMap(name: string, namespace: unknown): Body | undefined {
    const found: Body[] = [];
    for (const file of this.files) {
      if (!isManifestFile(file)) continue;
      const read = this.content.read(file);
      if (!read.ok || !read.bytes.includes(name)) continue;
      for (const doc of this.documentsOf(file)) {
        const b = doc.value;
        if (isObject(b) && b.apiVersion === 'v1' && b.kind === 'ConfigMap' && b.metadata?.name === name) found.push(b);
      }
    }
    return found.find((b) => b.metadata?.namespace === namespace) ?? found[0];
  }

  /** The files a unit applies: its folder tree, and what the kustomizations there name elsewhere. */
  private coveredBy(unit: Unit | undefined): Set<string> {
    const out = new Set<string>();
    if (!unit) return out;
    for (const f of this.files) {
      if (!within(f, unit.dir)) continue;
      out.add(f);
      if (KUSTOMIZATION_FILES.includes(path.posix.basename(f))) for (const i of this.treeOf(dirOf(f)).inputs) out.add(i);
    }
    return out;
  }

  /** The objects one unit applies, transformed as the cluster gets them. */
  private readUnit(unit: Unit): AppliedDocument[] {
    const out: AppliedDocument[] = [];
    const t = unit.transform;
    const hasKustomization = this.files.some((f) => dirOf(f) === unit.dir && KUSTOMIZATION_FILES.includes(path.posix.basename(f)));
    if (hasKustomization) {
      // Flux and Argo CD hand namespace and name prefixes to kustomize, which also rewrites the references to renamed objects.
      const rendered = this.renderDir(unit.dir, { namespace: t.targetNamespace, namePrefix: t.namePrefix, nameSuffix: t.nameSuffix });
      for (const o of rendered.documents) out.push({ file: o.file, doc: transformed(o.doc, { defaultNamespace: t.defaultNamespace, variables: t.variables }) });
    } else {
      const kustomized = new Set<string>();
      for (const f of this.files) {
        if (!within(f, unit.dir)) continue;
        const d = dirOf(f);
        if (!unit.recurse && d !== unit.dir) continue;
        if (KUSTOMIZATION_FILES.includes(path.posix.basename(f))) {
          // Flux's generated kustomization takes a subfolder with its own kustomization whole.
          if (![...kustomized].some((k) => within(d, k))) {
            kustomized.add(d);
            out.push(...this.renderDir(d, { namespace: t.targetNamespace }).documents.map((o) => ({ file: o.file, doc: transformed(o.doc, { ...t, targetNamespace: undefined }) })));
          }
        }
      }
      for (const f of this.files) {
        if (!within(f, unit.dir) || !isManifestFile(f) || [...kustomized].some((k) => within(f, k))) continue;
        if (!unit.recurse && dirOf(f) !== unit.dir) continue;
        for (const doc of this.objectsOf(f)) out.push({ file: f, doc: transformed(doc, t) });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- kustomizations without Flux or Argo CD

  /**
   * Without Flux or Argo CD objects, every kustomization that no other one names is applied, and
   * files no kustomization owns are read as written. Kustomizations that include the same files are
   * variants of one set-up (overlays, traefik-airlines' flux/*): one of them is documented.
   */
  private planKustomizations(dirs: string[]): AppliedSources {
    const named = new Set<string>();
    for (const d of dirs) for (const k of this.treeOf(d).kustomizations.slice(1)) named.add(k.dir);
    const roots = dirs.filter((d) => !named.has(d));
    // Variants: roots that share a manifest, grouped (union-find by shared files).
    const group = new Map<string, string>(roots.map((r) => [r, r]));
    const find = (r: string): string => (group.get(r) === r ? r : find(group.get(r)!));
    const owner = new Map<string, string>();
    for (const r of roots) {
      for (const m of this.treeOf(r).manifests) {
        const o = owner.get(m);
        if (o === undefined) owner.set(m, r);
        else group.set(find(r), find(o));
      }
    }
    const groups = new Map<string, string[]>();
    for (const r of roots) groups.set(find(r), [...(groups.get(find(r)) ?? []), r]);
    const applied: string[] = [];
    let cluster: string | undefined;
    for (const members of groups.values()) {
      if (members.length === 1) {
        applied.push(members[0]!);
        continue;
      }
      const candidates: ClusterCandidate[] = members.map((m) => {
        const tree = this.treeOf(m);
        // The choice is about the repository as a whole, not about one kustomization.
        return { name: m || '.', at: { file: '.', line: 1, column: 1 }, files: tree.inputs, appliesApis: this.appliesApis(tree.manifests) };
      });
      const chosen = chooseCluster(candidates, this.settings, 'kustomizations that pick between the same files', this.diagnostics)!;
      cluster = chosen.name;
      applied.push(chosen.name === '.' ? '' : chosen.name);
    }
    const documents: AppliedDocument[] = [];
    const failed = new Set<string>();
    for (const d of applied.sort()) {
      const rendered = this.renderDir(d, {});
      if (rendered.failed) failed.add(d);
      documents.push(...rendered.documents);
    }
    // What kustomizations own: the files they name and the folders they pick files from.
    const owned = new Set<string>();
    const pickedFrom = new Set<string>();
    for (const d of dirs) {
      const tree = this.treeOf(d);
      for (const i of tree.inputs) owned.add(i);
      for (const m of tree.manifests) pickedFrom.add(dirOf(m));
    }
    // The folder of a kustomization that cannot be built is read as written (tyk-operator's samples).
    const kustomized = dirs.filter((d) => !failed.has(d));
    this.reportSkipped(documents);
    return {
      readsPlain: (file) => !owned.has(file) && !pickedFrom.has(dirOf(file)) && !kustomized.some((d) => within(file, d)),
      documents,
      cluster,
    };
  }

  // ---------------------------------------------------------------- rendering

  private treeOf(dir: string): KustomizationTree {
    let tree = this.trees.get(dir);
    if (!tree) this.trees.set(dir, (tree = readKustomizationTree(this.content, dir)));
    return tree;
  }

  /**
   * Renders one kustomization folder (with a namespace or name prefix put over it, as Flux and
   * Argo CD do) and places each object at its source. Without kustomize, reads the files it names.
   */
  private renderDir(dir: string, over: { namespace?: string; namePrefix?: string; nameSuffix?: string }): { documents: AppliedDocument[]; failed: boolean } {
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
  private documentsOf(file: string): SourceDocument[] {
    let docs = this.parsed.get(file);
    if (!docs) {
      const read = this.content.read(file);
      docs = read.ok ? parseDecodedSource(decodeSourceBytes(read.bytes), file).documents : [];
      this.parsed.set(file, docs);
    }
    return docs;
  }

  /** The Kubernetes objects of a file (not OpenAPI documents, fragments or tool configs). */
  private objectsOf(file: string): SourceDocument[] {
    return this.documentsOf(file).filter((d) => isObject(d.value) && typeof d.value.apiVersion === 'string' && typeof d.value.kind === 'string' && !isToolConfig(d.value.apiVersion, d.value.kind));
  }

  private appliesApis(files: Iterable<string>): boolean {
    for (const f of files) {
      if (!isManifestFile(f)) continue;
      const read = this.content.read(f);
      if (!read.ok || (!read.bytes.includes('hub.traefik.io') && !read.bytes.includes('tyk.tyk.io'))) continue;
      if (this.objectsOf(f).some((d) => API_KINDS.has(`${groupOf((d.value as Body).apiVersion)}/${(d.value as Body).kind}`))) return true;
    }
    return false;
  }

  /** Sources Portico does not render (Helm releases), named once each as warnings. */
  private reportSkipped(documents: AppliedDocument[]): void {
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

  private warnOnce(at: AppliedDocument, docPath: DocPath, message: string): void {
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

/**
 * Finds, for each rendered object, the document it came from among the files the kustomization
 * names: by apiVersion, kind and name (a name prefix or suffix allowed), and by namespace when the
 * source has one. Generated ConfigMaps and Secrets point at their generator in kustomization.yaml,
 * and each data key at the entry that names its file.
 */
class SourceIndex {
  private readonly sources: Array<{ file: string; doc: SourceDocument; b: Body }> = [];
  private readonly tree: KustomizationTree;

  constructor(tree: KustomizationTree, objectsOf: (file: string) => SourceDocument[]) {
    this.tree = tree;
    for (const file of tree.manifests) for (const doc of objectsOf(file)) this.sources.push({ file, doc, b: doc.value as Body });
  }

  place(value: Body): AppliedDocument {
    const name = String(value.metadata?.name ?? '');
    const namespace = value.metadata?.namespace;
    const sameKind = this.sources.filter((s) => s.b.kind === value.kind && s.b.apiVersion === value.apiVersion);
    const byName = (list: typeof sameKind) => {
      const exact = list.filter((s) => s.b.metadata?.name === name);
      if (exact.length > 0) return exact;
      const longest = Math.max(0, ...list.filter((s) => typeof s.b.metadata?.name === 'string' && name.includes(s.b.metadata.name)).map((s) => s.b.metadata.name.length));
      return list.filter((s) => typeof s.b.metadata?.name === 'string' && s.b.metadata.name.length === longest && longest > 0 && name.includes(s.b.metadata.name));
    };
    let found = byName(sameKind);
    if (found.length === 0) found = byName(this.sources.filter((s) => s.b.kind === value.kind));
    if (found.length > 0) {
      const best = found.find((s) => s.b.metadata?.namespace === namespace) ?? found.find((s) => !s.b.metadata?.namespace) ?? found[0]!;
      return { file: best.file, doc: { value, index: best.doc.index, positionOf: best.doc.positionOf } };
    }
    for (const k of this.tree.kustomizations) {
      const gen = k.generators.filter((g) => g.kind === value.kind && g.name && name.includes(g.name)).sort((a, b) => b.name.length - a.name.length)[0];
      if (gen && k.doc) {
        const kdoc = k.doc;
        return {
          file: k.file,
          doc: {
            value,
            index: kdoc.index,
            positionOf: (p) => {
              const key = (p[0] === 'data' || p[0] === 'binaryData') && p.length >= 2 ? gen.keys.get(String(p[1])) : undefined;
              return kdoc.positionOf(key ?? gen.entry);
            },
            fileOf: (p) => ((p[0] === 'data' || p[0] === 'binaryData') && p.length === 2 ? gen.files.get(String(p[1])) : undefined),
          },
        };
      }
    }
    const root = this.tree.kustomizations[0];
    return { file: root?.file ?? '.', doc: { value, index: 0, positionOf: (p) => root?.doc?.positionOf(['resources']) ?? { line: 1, column: 1 } } };
  }
}

/** A document with the cluster's changes applied to a copy of its value; positions stay the source's. */
function transformed(doc: SourceDocument, t: Transform): SourceDocument {
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
