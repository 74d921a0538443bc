import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContentRoot } from './content-files.ts';
import type { Diagnostic, DocPath } from './diagnostics.ts';
import { diagnosticAt } from './resources.ts';
import type { SourceDocument } from './parsed-file.ts';
import { parseSourceText } from './source.ts';
import { sha256Hex } from './spec-cache.ts';

/** The names kustomize looks for in a folder, in its order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A ConfigMap or Secret that a kustomization generates, and where each of its keys comes from. */
export interface KustomizeGenerator {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Where the generator is in kustomization.yaml (`configMapGenerator[0]`). */
  entry: DocPath;
  /** Data key -> where in kustomization.yaml the file holding it is named. */
  keys: Map<string, DocPath>;
  /** Data key -> the file (relative to the content root) whose content it is. */
  files: Map<string, string>;
}

/** One kustomization file, read for what it names. */
export interface KustomizationFile {
  /** The folder, relative to the content root ('' for the root). */
  dir: string;
  /** The kustomization file, relative to the content root. */
  file: string;
  doc?: SourceDocument;
  /** Manifest files it names directly (resources, bases, crds), relative to the content root. */
  manifests: string[];
  /** Kustomization folders it names (resources, bases, components). */
  dirs: string[];
  /** Every other local file the build reads (patches, generator inputs, replacements). */
  inputs: string[];
  generators: KustomizeGenerator[];
  /** Where each named path is written, to place kustomize's own errors. */
  entries: Array<{ ref: string; at: DocPath }>;
}

/** What a kustomization and everything it names, transitively, is made of. */
export interface KustomizationTree {
  /** The kustomization files, the root's first. */
  kustomizations: KustomizationFile[];
  /** Manifest files whose objects the build emits. */
  manifests: Set<string>;
  /** Every file the build reads: kustomizations, manifests, patches, generator inputs. */
  inputs: Set<string>;
  /** Problems that stop the build: a path outside the content root, a remote base, a missing file. */
  problems: Diagnostic[];
}

/** The kustomization file of a folder (relative to the content root), if it has one. */
export function kustomizationFileIn(content: ContentRoot, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const rel = dir ? `${dir}/${name}` : name;
    const at = content.locate(rel);
    if ('real' in at && statSync(at.real, { throwIfNoEntry: false })?.isFile()) return rel;
  }
  return undefined;
}

const isRemote = (ref: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) || /^git@/.test(ref);

/** Reads one kustomization file: what it names, placed in the file. Paths that leave the root or are remote are problems. */
export function readKustomizationFile(content: ContentRoot, dir: string, file: string, problems: Diagnostic[]): KustomizationFile {
  const out: KustomizationFile = { dir, file, manifests: [], dirs: [], inputs: [], generators: [], entries: [] };
  const read = content.read(file);
  if (!read.ok) {
    problems.push({ severity: 'error', rule: 'kustomize', file, line: 1, column: 1, message: `cannot read the kustomization: ${read.code ?? read.reason}` });
    return out;
  }
  const parsed = parseSourceText(read.bytes.toString('utf8'), file.endsWith('.yml') || file.endsWith('.yaml') ? file : `${file}.yaml`);
  const doc = parsed.documents[0];
  if (parsed.errors.length > 0 || !doc) {
    const err = parsed.errors[0];
    problems.push({ severity: 'error', rule: 'kustomize', file, ...(err?.position ?? { line: 1, column: 1 }), message: `this kustomization cannot be read: ${err?.message ?? 'it is empty'}` });
    return out;
  }
  out.doc = doc;
  const k = (doc.value && typeof doc.value === 'object' ? doc.value : {}) as Record<string, any>;
  /** Resolves a path the kustomization names; reports it when it leaves the root, is remote or is missing. */
  const resolve = (ref: unknown, at: DocPath): { rel: string; isDir: boolean } | undefined => {
    if (typeof ref !== 'string' || ref === '') return undefined;
    if (isRemote(ref)) {
      problems.push(diagnosticAt(file, doc, at, 'error', 'kustomize', `this kustomization names the remote base ${ref}; Portico renders only what is in the repository and fetches nothing`));
      return undefined;
    }
    const rel = path.posix.normalize(path.posix.join(dir, ref.replace(/\\/g, '/')));
    out.entries.push({ ref, at });
    if (path.posix.isAbsolute(ref) || rel === '..' || rel.startsWith('../')) {
      problems.push(diagnosticAt(file, doc, at, 'error', 'kustomize', `this kustomization names ${ref}, which is outside the content root; Portico reads nothing outside it`));
      return undefined;
    }
    const where = content.locate(rel);
    if (where.where === 'outside') {
      problems.push(diagnosticAt(file, doc, at, 'error', 'kustomize', `this kustomization names ${ref}, a symbolic link that leads outside the content root; Portico reads nothing outside it`));
      return undefined;
    }
    if (!('real' in where)) {
      problems.push(diagnosticAt(file, doc, at, 'error', 'kustomize', `this kustomization names ${ref}, which does not exist (looked for ${rel || '.'})`));
      return undefined;
    }
    return { rel: rel === '.' ? '' : rel, isDir: statSync(where.real, { throwIfNoEntry: false })?.isDirectory() ?? false };
  };
  const list = (key: string): unknown[] => (Array.isArray(k[key]) ? k[key] : []);
  for (const key of ['resources', 'bases', 'components', 'crds']) {
    list(key).forEach((ref, i) => {
      const found = resolve(ref, [key, i]);
      if (!found) return;
      if (found.isDir) out.dirs.push(found.rel);
      else out.manifests.push(found.rel);
    });
  }
  const inputFile = (ref: unknown, at: DocPath): void => {
    const found = resolve(ref, at);
    if (found && !found.isDir) out.inputs.push(found.rel);
  };
  list('patchesStrategicMerge').forEach((p, i) => {
    if (typeof p === 'string' && !p.includes('\n')) inputFile(p, ['patchesStrategicMerge', i]);
  });
  for (const key of ['patches', 'patchesJson6902', 'replacements']) {
    list(key).forEach((p: any, i) => {
      if (p && typeof p.path === 'string') inputFile(p.path, [key, i, 'path']);
    });
  }
  for (const key of ['transformers', 'generators', 'validators']) {
    list(key).forEach((p, i) => {
      if (typeof p === 'string' && !p.includes('\n')) {
        const found = resolve(p, [key, i]);
        if (found?.isDir) out.dirs.push(found.rel);
        else if (found) out.inputs.push(found.rel);
      }
    });
  }
  if (k.openapi && typeof k.openapi.path === 'string') inputFile(k.openapi.path, ['openapi', 'path']);
  list('configurations').forEach((c, i) => inputFile(c, ['configurations', i]));
  for (const [key, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    list(key).forEach((g: any, i) => {
      if (!g || typeof g !== 'object') return;
      const gen: KustomizeGenerator = { kind, name: typeof g.name === 'string' ? g.name : '', entry: [key, i], keys: new Map(), files: new Map() };
      (Array.isArray(g.files) ? g.files : []).forEach((f: unknown, j: number) => {
        if (typeof f !== 'string') return;
        // `key=path` or `path`; the key is then the file's name.
        const eq = f.indexOf('=');
        const ref = eq >= 0 ? f.slice(eq + 1) : f;
        const dataKey = eq >= 0 ? f.slice(0, eq) : path.posix.basename(ref);
        gen.keys.set(dataKey, [key, i, 'files', j]);
        const before = out.inputs.length;
        inputFile(ref, [key, i, 'files', j]);
        if (out.inputs.length > before) gen.files.set(dataKey, out.inputs[out.inputs.length - 1]!);
      });
      const envs = [
        ...(Array.isArray(g.envs) ? g.envs.map((e: unknown, j: number) => [e, [key, i, 'envs', j]] as const) : []),
        ...(typeof g.env === 'string' ? [[g.env, [key, i, 'env']] as const] : []),
      ];
      for (const [e, at] of envs) inputFile(e, at);
      if (g.literals && Array.isArray(g.literals)) {
        g.literals.forEach((l: unknown, j: number) => {
          if (typeof l === 'string' && l.includes('=')) gen.keys.set(l.slice(0, l.indexOf('=')), [key, i, 'literals', j]);
        });
      }
      out.generators.push(gen);
    });
  }
  return out;
}

/** Reads a kustomization folder and every kustomization it names, transitively. */
export function readKustomizationTree(content: ContentRoot, dir: string): KustomizationTree {
  const tree: KustomizationTree = { kustomizations: [], manifests: new Set(), inputs: new Set(), problems: [] };
  const seen = new Set<string>();
  const visit = (d: string, from?: { file: string; doc?: SourceDocument; at?: DocPath }): void => {
    if (seen.has(d)) return;
    seen.add(d);
    const file = kustomizationFileIn(content, d);
    if (!file) {
      if (from) tree.problems.push(diagnosticAt(from.file, from.doc, from.at ?? [], 'error', 'kustomize', `${d || '.'} is named as a kustomization folder but holds no kustomization.yaml`));
      return;
    }
    const k = readKustomizationFile(content, d, file, tree.problems);
    tree.kustomizations.push(k);
    tree.inputs.add(file);
    for (const m of k.manifests) tree.manifests.add(m), tree.inputs.add(m);
    for (const i of k.inputs) tree.inputs.add(i);
    for (const sub of k.dirs) visit(sub, { file, doc: k.doc, at: k.entries.find((e) => path.posix.normalize(path.posix.join(d, e.ref)) === sub)?.at });
  };
  visit(dir);
  return tree;
}

/** How kustomize is run: argv before the folder, and a label for messages. */
export interface KustomizeTool {
  argv: string[];
  label: string;
}

/** Is `command` an executable file, given as a path or found on the PATH? Returns its path. */
function findExecutable(command: string, envPath: string | undefined): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : (envPath ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds kustomize: the command in PORTICO_KUSTOMIZE, else `kustomize` on the PATH, else `kubectl`
 * (which embeds kustomize). kubectl is run as `kubectl kustomize`, anything else as `<cmd> build`.
 */
export function findKustomize(setting: string | undefined, envPath = process.env.PATH): KustomizeTool | { missing: string } {
  const toolFor = (exe: string): KustomizeTool =>
    /kubectl[^/]*$/.test(path.basename(exe)) ? { argv: [exe, 'kustomize'], label: `${exe} kustomize` } : { argv: [exe, 'build'], label: `${exe} build` };
  if (setting) {
    const exe = findExecutable(setting, envPath);
    return exe ? toolFor(exe) : { missing: `PORTICO_KUSTOMIZE names ${setting}, which is not an executable file${setting.includes('/') ? '' : ' on the PATH'}` };
  }
  const exe = findExecutable('kustomize', envPath) ?? findExecutable('kubectl', envPath);
  return exe ? toolFor(exe) : { missing: 'neither kustomize nor kubectl is on the PATH' };
}

/** The output of a kustomize build, or why there is none. */
export type RenderResult = { ok: true; yaml: string; fromCache: boolean } | { ok: false; message: string };

/**
 * Runs `tool` on the folder `buildDir` makes (only on a cache miss); `key` says what it builds. The output is cached under `cacheDir` by the hash of the tool and
 * every input file, so an unchanged kustomization costs hashing its files. Kustomize's load
 * restrictor is lifted as Flux does (GitOps repositories name `../../apps/x.yaml`); the caller has
 * checked that every path named stays inside the content root, and remote bases are refused there.
 */
export function renderKustomization(tool: KustomizeTool, root: string, buildDir: () => string, key: string, inputs: Iterable<string>, cacheDir: string | undefined): RenderResult {
  const hash = sha256Hex(
    [
      tool.label,
      key,
      ...[...new Set(inputs)].sort().map((f) => {
        let sha = 'missing';
        try {
          sha = sha256Hex(readFileSync(path.join(root, f)).toString('latin1'));
        } catch {
          // a file that vanished changes the hash, and kustomize will say why
        }
        return `${f}\0${sha}`;
      }),
    ].join('\n'),
  );
  const cached = cacheDir ? path.join(cacheDir, 'kustomize-v1', `${hash}.yaml`) : undefined;
  if (cached) {
    try {
      return { ok: true, yaml: readFileSync(cached, 'utf8'), fromCache: true };
    } catch {
      // a miss
    }
  }
  // Only what kustomize needs: no tokens or credentials of the portal reach it.
  const child = spawnSync(tool.argv[0]!, [...tool.argv.slice(1), '--load-restrictor', 'LoadRestrictionsNone', buildDir()], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? root },
  });
  if (child.error) return { ok: false, message: `${tool.label} could not run: ${(child.error as NodeJS.ErrnoException).code ?? child.error.message}` };
  if (child.status !== 0) return { ok: false, message: cleanKustomizeError(child.stderr, root) };
  if (cached) {
    try {
      mkdirSync(path.dirname(cached), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      writeFileSync(tmp, child.stdout);
      renameSync(tmp, cached);
    } catch {
      // the cache is an optimisation
    }
  }
  return { ok: true, yaml: child.stdout, fromCache: false };
}

/** Kustomize's message without kubectl's log prefix and with paths relative to the content root. */
function cleanKustomizeError(stderr: string, root: string): string {
  let text = stderr.trim();
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(text);
  if (quoted) text = quoted[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  text =
    text
      .replace(/^Error:\s*/m, '')
      .split('\n')
      .filter((l) => l.trim() && !/^Usage:|^\s+kustomize build|^Flags:/.test(l))[0] ?? text;
  return text
    .split(`${path.resolve(root)}/`)
    .join('')
    .split(path.resolve(root))
    .join('.');
}
