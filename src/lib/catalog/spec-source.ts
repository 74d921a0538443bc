import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContentRoot } from './content-files.ts';
import type { Diagnostic } from './diagnostics.ts';
import { bundleOpenApiFile } from './openapi-bundle.ts';
import { declaredOpenApiVersion, missingVersionIssue, normaliseOpenApi, type NormalisedSpec } from './openapi.ts';
import { diagnosticAt, type ContentScan, type Resource } from './resources.ts';
import type { Position } from './parsed-file.ts';
import { parseSourceText } from './source.ts';
import { sha256Hex, specContentHash, type SpecCache } from './spec-cache.ts';
import { fetchSpecText } from './spec-url-fetch.ts';

/** The annotation that names a spec file explicitly, relative to the manifest. */
export const OPENAPI_FILE_ANNOTATION = 'portico.dev/openapi-file';

export interface SpecLoadContext {
  root: string;
  scan: ContentScan;
  diagnostics: Diagnostic[];
  cache?: SpecCache;
  offline: boolean;
  urlTimeoutMs: number;
  urlCacheDir?: string;
  stats: { specs: number; specsFromCache: number };
  /** Every spec URL the content names, fetched or not: a site built from them may change without a commit. */
  specUrls: string[];
}

export interface LoadedSpec {
  spec: NormalisedSpec;
  contentHash: string;
  files: string[];
  fromCache: boolean;
}

/**
 * Where the file for `openApiSpec.path` is, by Portico's convention. In the cluster the path is
 * served by the API's own Service; in the repo, the first of these that exists is used:
 * 1. the file named by the annotation `portico.dev/openapi-file` (relative to the manifest);
 * 2. `<manifest dir>/<resource name>/<path>` (several APIs in one folder);
 * 3. `<manifest dir>/<path>` (one API per folder, as traefik-airlines lays it out).
 */
export function specFileCandidates(resource: Resource, declaredPath: string): string[] {
  const dir = path.posix.dirname(resource.file);
  const rel = declaredPath.replace(/^\/+/, '');
  const candidates: string[] = [];
  const annotated = resource.annotations[OPENAPI_FILE_ANNOTATION];
  if (annotated) candidates.push(path.posix.normalize(path.posix.join(dir, annotated)));
  candidates.push(path.posix.normalize(path.posix.join(dir, resource.id.name, rel)));
  candidates.push(path.posix.normalize(path.posix.join(dir, rel)));
  return candidates.filter((c) => !c.startsWith('../'));
}

/** Loads, validates and normalises the document in a repository file, through the cache when it is unchanged. */
export function loadSpecFile(ctx: SpecLoadContext, file: string): LoadedSpec {
  ctx.stats.specs++;
  const content = new ContentRoot(ctx.root);
  const readText = (f: string): string | undefined => {
    const known = ctx.scan.parsedFiles.get(f)?.text;
    if (known !== undefined) return known;
    const read = content.read(f); // a file that became a link out of the root is a miss, and never read
    return read.ok ? read.bytes.toString('utf8') : undefined;
  };
  const rootSha = ctx.scan.fileHashes.get(file);
  if (ctx.cache && rootSha) {
    const cached = ctx.cache.get(file, rootSha, readText);
    if (cached) {
      ctx.stats.specsFromCache++;
      return { ...cached, fromCache: true };
    }
  }
  let bundle: ReturnType<typeof bundleOpenApiFile>;
  let spec: NormalisedSpec;
  try {
    bundle = bundleOpenApiFile(ctx.root, file, ctx.scan.parsedFiles);
    const issues = bundle.issues.map((i) => ({ ...i }));
    if (!bundle.document) {
      spec = { sourceVersion: 'unknown', document: {}, operationSources: {}, issues };
    } else if (declaredOpenApiVersion(bundle.document) === undefined) {
      const missing = missingVersionIssue(bundle.document);
      spec = { sourceVersion: 'unknown', document: {}, operationSources: {}, issues: [...issues, { ...bundle.locate(missing.path), path: missing.path, severity: 'error', message: missing.message }] };
    } else {
      const normalised = normaliseOpenApi(bundle.document, bundle.locate);
      spec = { ...normalised, issues: [...issues, ...normalised.issues] };
    }
  } catch (err) {
    // Every bad input has its own message above; this is the net under them, so one document never stops the build.
    const issue = {
      file,
      position: { line: 1, column: 1 },
      path: [],
      severity: 'error' as const,
      message: `internal error while reading this document (${(err as Error).message}); please report it, with the document`,
    };
    return { spec: { sourceVersion: 'unknown', document: {}, operationSources: {}, issues: [issue] }, contentHash: '', files: [file], fromCache: false };
  }
  const contentHash = specContentHash([...bundle.texts].map(([f, t]) => ({ file: f, sha256: sha256Hex(t) })));
  ctx.cache?.put(file, bundle.texts, spec);
  return { spec, contentHash, files: bundle.files, fromCache: false };
}

/**
 * Loads the document at `openApiSpec.url`: fetched at build time and kept on disk, so a later
 * build works offline; with `offline` set, only the kept copy is used.
 */
export async function loadSpecUrl(ctx: SpecLoadContext, resource: Resource, url: string, fieldPath: string[]): Promise<LoadedSpec | undefined> {
  if (!ctx.specUrls.includes(url)) ctx.specUrls.push(url);
  const cacheFile = ctx.urlCacheDir ? path.join(ctx.urlCacheDir, `${sha256Hex(url)}.json`) : undefined;
  const readCached = (): { text: string; fetchedAt: string } | undefined => {
    if (!cacheFile || !existsSync(cacheFile)) return undefined;
    try {
      return JSON.parse(readFileSync(cacheFile, 'utf8')) as { text: string; fetchedAt: string };
    } catch {
      return undefined;
    }
  };
  let text: string | undefined;
  let fromCache = false;
  if (ctx.offline) {
    const cached = readCached();
    if (!cached) {
      ctx.diagnostics.push(
        diagnosticAt(
          resource.file,
          resource.doc,
          fieldPath,
          'error',
          'openapi',
          `offline mode: no kept copy of ${url}`,
          'run once without PORTICO_OFFLINE to fetch it, or keep the spec in the repository and use openApiSpec.path',
        ),
      );
      return undefined;
    }
    text = cached.text;
    fromCache = true;
  } else {
    try {
      // Public addresses only (PORTICO_SPEC_URL_ALLOW names others), size-capped: see spec-url-fetch.ts.
      text = await fetchSpecText(url, { timeoutMs: ctx.urlTimeoutMs });
      if (cacheFile) {
        mkdirSync(path.dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ url, fetchedAt: new Date().toISOString(), text }));
        renameSync(tmp, cacheFile);
      }
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${ctx.urlTimeoutMs / 1000} s` : describeFetchError(err);
      const cached = readCached();
      if (!cached) {
        ctx.diagnostics.push(
          diagnosticAt(
            resource.file,
            resource.doc,
            fieldPath,
            'error',
            'openapi',
            `cannot fetch ${url}: ${reason}`,
            'check the URL is reachable from where the portal is built, or keep the spec in the repository and use openApiSpec.path',
          ),
        );
        return undefined;
      }
      ctx.diagnostics.push(diagnosticAt(resource.file, resource.doc, fieldPath, 'warning', 'openapi', `cannot fetch ${url} (${reason}); using the copy fetched ${cached.fetchedAt}`));
      text = cached.text;
      fromCache = true;
    }
  }
  ctx.stats.specs++;
  const fileName = /\.json($|\?)/i.test(url) || text.trimStart().startsWith('{') ? 'remote.json' : 'remote.yaml';
  return loadInlineSpec(ctx, text, fileName, resource.file, () => resource.doc.positionOf(fieldPath), fromCache);
}

/**
 * Loads a document held as text outside its own file (a ConfigMap value, a fetched URL).
 * Issues are placed in `hostFile`: at the embedded line when `base` says where the text starts.
 */
export function loadInlineSpec(ctx: SpecLoadContext, text: string, fileName: string, hostFile: string, base: () => Position, fromCache: boolean, embedded = false): LoadedSpec {
  const parsed = parseSourceText(text, fileName);
  const place = (inner: Position): Position => {
    const b = base();
    return embedded ? { line: b.line + inner.line, column: inner.column + b.column + 1 } : b;
  };
  const issues: NormalisedSpec['issues'] = [
    ...parsed.errors.map((e) => ({ file: hostFile, position: place(e.position), path: [], severity: 'error' as const, message: `cannot parse the embedded document: ${e.message}` })),
    ...parsed.findings.map((f) => ({ file: hostFile, position: place(f.position), path: [], severity: f.severity, message: `in the embedded document: ${f.message}` })),
  ];
  const doc = parsed.documents[0];
  let spec: NormalisedSpec = { sourceVersion: 'unknown', document: {}, operationSources: {}, issues };
  if (!doc) {
    if (parsed.errors.length === 0) issues.push({ file: hostFile, position: place({ line: 1, column: 1 }), path: [], severity: 'error', message: 'the embedded document is empty' });
  } else if (!doc.value || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    issues.push({ file: hostFile, position: place({ line: 1, column: 1 }), path: [], severity: 'error', message: 'the embedded document is not an object, and an OpenAPI document must be one' });
  } else if (declaredOpenApiVersion(doc.value) === undefined) {
    const missing = missingVersionIssue(doc.value as Record<string, unknown>);
    issues.push({ file: hostFile, position: place(doc.positionOf(missing.path)), path: missing.path, severity: 'error', message: missing.message });
  } else {
    try {
      const normalised = normaliseOpenApi(doc.value as Record<string, unknown>, (p) => ({ file: hostFile, position: place(doc.positionOf(p)) }));
      spec = { ...normalised, issues: [...issues, ...normalised.issues] };
    } catch (err) {
      issues.push({
        file: hostFile,
        position: place({ line: 1, column: 1 }),
        path: [],
        severity: 'error',
        message: `internal error while reading the embedded document (${(err as Error).message}); please report it, with the document`,
      });
    }
  }
  return { spec, contentHash: sha256Hex(text), files: [hostFile], fromCache };
}

/** Turns a spec's issues into catalog diagnostics. */
export function specDiagnostics(spec: NormalisedSpec): Diagnostic[] {
  return spec.issues.map((i) => ({
    severity: i.severity,
    rule: 'openapi',
    message: i.message,
    file: i.file,
    line: i.position.line,
    column: i.position.column,
    path: i.path.length ? i.path : undefined,
  }));
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ENOTFOUND') return 'the host name does not resolve';
  if (cause?.code === 'ECONNREFUSED') return 'the connection was refused';
  return cause?.message ?? (err as Error).message;
}
