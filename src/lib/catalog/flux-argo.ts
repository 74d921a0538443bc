/**
 * Repositories with Flux Kustomizations or Argo CD Applications: which cluster is documented, and the
 * objects its paths apply, transformed as the cluster gets them (decision record 11).
 */
import path from 'node:path';
import { isObject } from '../util/is-object.ts';
import type { AppliedDocument, AppliedSources } from './applied-sources.ts';
import { transformed, type Transform } from './cluster-transforms.ts';
import { chooseCluster, type ClusterCandidate } from './clusters.ts';
import type { DocPath } from './diagnostics.ts';
import { KUSTOMIZATION_FILES } from './kustomize.ts';
import { type Body, dirOf, isArgoApplication, isFluxKustomization, isManifestFile, type RepositoryReader, within } from './repository-reader.ts';

/** A path that a Flux Kustomization or Argo CD Application applies. */
interface Unit {
  origin: AppliedDocument;
  label: string;
  dir: string;
  /** Argo CD reads subfolders only with directory.recurse; Flux always does. */
  recurse: boolean;
  transform: Transform;
}

/** A cluster is the folder of the Flux/Argo objects that no other such object applies (decision record 11). */
export function planClusters(reader: RepositoryReader, entries: AppliedDocument[]): AppliedSources {
  const units = new Map(entries.map((e) => [e, unitOf(reader, e, false)]));
  const covered = new Map(entries.map((e) => [e, coveredBy(reader, units.get(e))]));
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
    return { name: folder || '.', at: { file: rs[0]!.file, ...at }, files, appliesApis: reader.appliesApis(files), roots: rs };
  });
  const chosen = chooseCluster(candidates, reader.settings, 'clusters', reader.diagnostics) as (typeof candidates)[number];
  const documents: AppliedDocument[] = [];
  const queue = [...chosen.roots];
  const done = new Set<string>();
  while (queue.length > 0) {
    const entry = queue.shift()!;
    const b = entry.doc.value as Body;
    const identity = `${b.apiVersion}/${b.kind}/${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
    if (done.has(identity)) continue;
    done.add(identity);
    const unit = unitOf(reader, entry, true);
    if (!unit) continue;
    for (const obj of readUnit(reader, unit)) {
      documents.push(obj);
      const v = obj.doc.value as Body;
      if (isFluxKustomization(v) || isArgoApplication(v)) queue.push(obj);
    }
  }
  reader.reportSkipped(documents);
  return { readsPlain: () => false, documents, cluster: chosen.name };
}

/** The path a Flux Kustomization or Argo CD Application applies, and how; undefined (reported) when Portico cannot read it. */
function unitOf(reader: RepositoryReader, entry: AppliedDocument, report: boolean): Unit | undefined {
  const b = entry.doc.value as Body;
  const spec = isObject(b.spec) ? b.spec : {};
  const label = `${b.kind} ${b.metadata?.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata?.name ?? '?'}`;
  const skip = (at: DocPath, why: string): undefined => {
    if (report) reader.warnOnce(entry, at, `${label} ${why}; Portico does not read what it applies`);
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
    if (report && isObject(spec.postBuild)) transform.variables = variablesOf(reader, entry, spec.postBuild);
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
  if (!reader.files.some((f) => within(f, rel))) return skip(pathAt, `applies ${rawPath}, which is not in this repository (another source, or a path that does not exist)`);
  return { origin: entry, label, dir: rel, recurse, transform };
}

/** Flux postBuild variables: substituteFrom ConfigMaps found in the repository, then substitute, which wins. */
function variablesOf(reader: RepositoryReader, entry: AppliedDocument, postBuild: Body): Map<string, string> {
  const vars = new Map<string, string>();
  const namespace = (entry.doc.value as Body).metadata?.namespace;
  (Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []).forEach((ref: any, i: number) => {
    const at = ['spec', 'postBuild', 'substituteFrom', i];
    if (ref?.kind === 'Secret') {
      reader.warnOnce(entry, at, `substituteFrom names Secret ${ref?.name}; Portico does not read Secrets, so the variables it holds stay unset in the docs`);
      return;
    }
    const cm = findConfigMap(reader, String(ref?.name ?? ''), namespace);
    if (!cm) {
      if (ref?.optional !== true) reader.warnOnce(entry, at, `substituteFrom names ConfigMap ${ref?.name}, which is not in the repository, so the variables it holds stay unset in the docs`);
      return;
    }
    for (const [k, v] of Object.entries(isObject(cm.data) ? cm.data : {})) vars.set(k, String(v));
  });
  for (const [k, v] of Object.entries(isObject(postBuild.substitute) ? postBuild.substitute : {})) vars.set(k, String(v));
  return vars;
}

function findConfigMap(reader: RepositoryReader, name: string, namespace: unknown): Body | undefined {
  const found: Body[] = [];
  for (const file of reader.files) {
    if (!isManifestFile(file)) continue;
    const read = reader.content.read(file);
    if (!read.ok || !read.bytes.includes(name)) continue;
    for (const doc of reader.documentsOf(file)) {
      const b = doc.value;
      if (isObject(b) && b.apiVersion === 'v1' && b.kind === 'ConfigMap' && b.metadata?.name === name) found.push(b);
    }
  }
  return found.find((b) => b.metadata?.namespace === namespace) ?? found[0];
}

/** The files a unit applies: its folder tree, and what the kustomizations there name elsewhere. */
function coveredBy(reader: RepositoryReader, unit: Unit | undefined): Set<string> {
  const out = new Set<string>();
  if (!unit) return out;
  for (const f of reader.files) {
    if (!within(f, unit.dir)) continue;
    out.add(f);
    if (KUSTOMIZATION_FILES.includes(path.posix.basename(f))) for (const i of reader.treeOf(dirOf(f)).inputs) out.add(i);
  }
  return out;
}

/** The objects one unit applies, transformed as the cluster gets them. */
function readUnit(reader: RepositoryReader, unit: Unit): AppliedDocument[] {
  const out: AppliedDocument[] = [];
  const t = unit.transform;
  const hasKustomization = reader.files.some((f) => dirOf(f) === unit.dir && KUSTOMIZATION_FILES.includes(path.posix.basename(f)));
  if (hasKustomization) {
    // Flux and Argo CD hand namespace and name prefixes to kustomize, which also rewrites the references to renamed objects.
    const rendered = reader.renderDir(unit.dir, { namespace: t.targetNamespace, namePrefix: t.namePrefix, nameSuffix: t.nameSuffix });
    for (const o of rendered.documents) out.push({ file: o.file, doc: transformed(o.doc, { defaultNamespace: t.defaultNamespace, variables: t.variables }) });
  } else {
    const kustomized = new Set<string>();
    for (const f of reader.files) {
      if (!within(f, unit.dir)) continue;
      const d = dirOf(f);
      if (!unit.recurse && d !== unit.dir) continue;
      if (KUSTOMIZATION_FILES.includes(path.posix.basename(f))) {
        // Flux's generated kustomization takes a subfolder with its own kustomization whole.
        if (![...kustomized].some((k) => within(d, k))) {
          kustomized.add(d);
          out.push(...reader.renderDir(d, { namespace: t.targetNamespace }).documents.map((o) => ({ file: o.file, doc: transformed(o.doc, { ...t, targetNamespace: undefined }) })));
        }
      }
    }
    for (const f of reader.files) {
      if (!within(f, unit.dir) || !isManifestFile(f) || [...kustomized].some((k) => within(f, k))) continue;
      if (!unit.recurse && dirOf(f) !== unit.dir) continue;
      for (const doc of reader.objectsOf(f)) out.push({ file: f, doc: transformed(doc, t) });
    }
  }
  return out;
}
