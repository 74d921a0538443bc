import type { AppliedDocument } from './applied-sources.ts';
import type { KustomizationTree } from './kustomize.ts';
import type { SourceDocument } from './parsed-file.ts';

type Body = Record<string, any>;

/**
 * Finds, for each rendered object, the document it came from among the files the kustomization
 * names: by apiVersion, kind and name (a name prefix or suffix allowed), and by namespace when the
 * source has one. Generated ConfigMaps and Secrets point at their generator in kustomization.yaml,
 * and each data key at the entry that names its file.
 */
export class SourceIndex {
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
