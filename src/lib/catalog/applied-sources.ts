import path from 'node:path';
import { isObject } from '../util/is-object.ts';
import { chooseCluster, type ClusterCandidate } from './clusters.ts';
import type { Diagnostic } from './diagnostics.ts';
import { planClusters } from './flux-argo.ts';
import { KUSTOMIZATION_FILES } from './kustomize.ts';
import { ARGO_GROUP, dirOf, FLUX_GROUP, isArgoApplication, isFluxKustomization, isManifestFile, RepositoryReader, within } from './repository-reader.ts';
import type { SourceDocument } from './parsed-file.ts';

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

/**
 * Reads the repository the way its clusters get it (decision record 11). Returns undefined for a
 * repository of plain folders (no kustomization, no Flux or Argo CD object): it is read file by file.
 */
export function planAppliedSources(root: string, diagnostics: Diagnostic[], settings: RepositorySettings = {}): AppliedSources | undefined {
  const reader = new RepositoryReader(root, diagnostics, settings);
  const kustomizationDirs = [...new Set(reader.files.filter((f) => KUSTOMIZATION_FILES.includes(path.posix.basename(f))).map(dirOf))].sort();
  const entries: AppliedDocument[] = [];
  for (const file of reader.files) {
    if (!isManifestFile(file)) continue;
    const read = reader.content.read(file);
    if (!read.ok) continue;
    // A byte search, not a parse: most files of a repository are neither.
    if (!read.bytes.includes(FLUX_GROUP) && !read.bytes.includes(ARGO_GROUP)) continue;
    for (const doc of reader.documentsOf(file)) if (isObject(doc.value) && (isFluxKustomization(doc.value) || isArgoApplication(doc.value))) entries.push({ file, doc });
  }
  if (entries.length > 0) return planClusters(reader, entries);
  if (kustomizationDirs.length > 0) return planKustomizations(reader, kustomizationDirs);
  return undefined;
}

/**
 * Without Flux or Argo CD objects, every kustomization that no other one names is applied, and
 * files no kustomization owns are read as written. Kustomizations that include the same files are
 * variants of one set-up (overlays, traefik-airlines' flux/*): one of them is documented.
 */
function planKustomizations(reader: RepositoryReader, dirs: string[]): AppliedSources {
  const named = new Set<string>();
  for (const d of dirs) for (const k of reader.treeOf(d).kustomizations.slice(1)) named.add(k.dir);
  const roots = dirs.filter((d) => !named.has(d));
  // Variants: roots that share a manifest, grouped (union-find by shared files).
  const group = new Map<string, string>(roots.map((r) => [r, r]));
  const find = (r: string): string => (group.get(r) === r ? r : find(group.get(r)!));
  const owner = new Map<string, string>();
  for (const r of roots) {
    for (const m of reader.treeOf(r).manifests) {
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
      const tree = reader.treeOf(m);
      // The choice is about the repository as a whole, not about one kustomization.
      return { name: m || '.', at: { file: '.', line: 1, column: 1 }, files: tree.inputs, appliesApis: reader.appliesApis(tree.manifests) };
    });
    const chosen = chooseCluster(candidates, reader.settings, 'kustomizations that pick between the same files', reader.diagnostics)!;
    cluster = chosen.name;
    applied.push(chosen.name === '.' ? '' : chosen.name);
  }
  const documents: AppliedDocument[] = [];
  const failed = new Set<string>();
  for (const d of applied.sort()) {
    const rendered = reader.renderDir(d, {});
    if (rendered.failed) failed.add(d);
    documents.push(...rendered.documents);
  }
  // What kustomizations own: the files they name and the folders they pick files from.
  const owned = new Set<string>();
  const pickedFrom = new Set<string>();
  for (const d of dirs) {
    const tree = reader.treeOf(d);
    for (const i of tree.inputs) owned.add(i);
    for (const m of tree.manifests) pickedFrom.add(dirOf(m));
  }
  // The folder of a kustomization that cannot be built is read as written (tyk-operator's samples).
  const kustomized = dirs.filter((d) => !failed.has(d));
  reader.reportSkipped(documents);
  return {
    readsPlain: (file) => !owned.has(file) && !pickedFrom.has(dirOf(file)) && !kustomized.some((d) => within(file, d)),
    documents,
    cluster,
  };
}
