import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NormalisedSpec } from './openapi.ts';
import { NORMALISER_VERSION } from './openapi.ts';

/** SHA-256 of a text, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The content hash of a spec: over every file it was built from, in reading order. Cold or cached, the same. */
export function specContentHash(files: Array<{ file: string; sha256: string }>): string {
  return sha256Hex(files.map((f) => `${f.file}\0${f.sha256}`).join('\n'));
}

/** What the cache gives back: the spec and what identifies it. */
export interface CachedSpec {
  spec: NormalisedSpec;
  files: string[];
  contentHash: string;
}

interface SpecEntry {
  normaliser: number;
  /** Every file the spec was built from, with its content hash at the time. */
  files: Array<{ file: string; sha256: string }>;
  spec: NormalisedSpec;
}

/**
 * A content-hash cache of normalised OpenAPI documents, on disk.
 * An entry is valid only while every file it was built from still has the same hash,
 * so an unchanged spec costs one hash per file and a JSON read; a changed one is rebuilt.
 * Entries are written atomically (temp file + rename), so a crash never leaves a torn entry.
 */
export class SpecCache {
  private readonly dir: string;
  private kinds: Record<string, 'openapi' | 'other'> | undefined;
  private kindsDirty = false;

  constructor(cacheDir: string) {
    this.dir = cacheDir;
  }

  /** The cached normalised spec for this root file, if neither it nor any file it references changed. */
  get(rootFile: string, rootSha: string, readText: (file: string) => string | undefined): CachedSpec | undefined {
    const entry = this.readJson<SpecEntry>(this.entryPath(rootFile, rootSha));
    if (!entry || entry.normaliser !== NORMALISER_VERSION) return undefined;
    for (const dep of entry.files) {
      if (dep.file === rootFile) continue;
      const text = readText(dep.file);
      if (text === undefined || sha256Hex(text) !== dep.sha256) return undefined;
    }
    return { spec: entry.spec, files: entry.files.map((f) => f.file), contentHash: specContentHash(entry.files) };
  }

  /** Stores a normalised spec with the hashes of the files it came from. */
  put(rootFile: string, texts: Map<string, string>, spec: NormalisedSpec): void {
    const rootText = texts.get(rootFile);
    if (rootText === undefined) return;
    const entry: SpecEntry = {
      normaliser: NORMALISER_VERSION,
      files: [...texts].map(([file, text]) => ({ file, sha256: sha256Hex(text) })),
      spec,
    };
    this.writeJson(this.entryPath(rootFile, sha256Hex(rootText)), entry);
  }

  /** Whether a file with this content hash is known to be an OpenAPI document (not Kubernetes resources). */
  kindOf(sha: string): 'openapi' | 'other' | undefined {
    this.kinds ??= this.readJson<Record<string, 'openapi' | 'other'>>(path.join(this.dir, 'file-kinds.json')) ?? {};
    return this.kinds[sha];
  }

  rememberKind(sha: string, kind: 'openapi' | 'other'): void {
    this.kinds ??= this.readJson<Record<string, 'openapi' | 'other'>>(path.join(this.dir, 'file-kinds.json')) ?? {};
    if (this.kinds[sha] === kind) return;
    this.kinds[sha] = kind;
    this.kindsDirty = true;
  }

  /** Writes what `rememberKind` learned. */
  flush(): void {
    if (this.kindsDirty && this.kinds) this.writeJson(path.join(this.dir, 'file-kinds.json'), this.kinds);
    this.kindsDirty = false;
  }

  private entryPath(rootFile: string, rootSha: string): string {
    return path.join(this.dir, 'specs', `${sha256Hex(`${rootFile}\0${rootSha}`)}.json`);
  }

  private readJson<T>(file: string): T | undefined {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch {
      return undefined; // a missing or unreadable entry is a miss, never an error
    }
  }

  private writeJson(file: string, value: unknown): void {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, file);
    } catch {
      // The cache is an optimisation: a read-only or full disk must not fail the load.
    }
  }
}
