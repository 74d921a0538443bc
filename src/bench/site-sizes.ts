import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { OPERATION_INDEX_PATH, type OperationIndex } from '../lib/docs/operation-index.ts';

/** Sizes of a built site: page count, and gzip sizes of operation pages' HTML and initial JS. */
export interface SiteSizes {
  pages: number;
  operationPages: number;
  /** Gzip bytes of operation pages' HTML: median, 90th percentile, largest. */
  operationHtml: { median: number; p90: number; max: number };
  /** Gzip bytes of JS an operation page runs on first paint: inline scripts plus script files. */
  operationInitialJs: { median: number; max: number };
  /** Gzip bytes of every JS file in the output (loaded only where used). */
  allJsFiles: number;
  /**
   * The search indexes: the exact operation index (`/search-index.json`, fetched on the first search),
   * raw and gzip, with its operation count; Pagefind's folder as written (its index files are gzip already).
   */
  search: { operationIndex: { bytes: number; gzip: number; operations: number }; pagefind: { bytes: number; files: number } };
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

const gz = (text: string | Buffer) => gzipSync(text).length;
const pick = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;

/** Measures the client output of a build. */
export function measureSite(clientDir: string): SiteSizes {
  const files = filesBelow(clientDir);
  const html = files.filter((f) => f.endsWith('.html'));
  const ops = html.filter((f) => f.includes(`${path.sep}operations${path.sep}`));
  const htmlSizes: number[] = [];
  const jsSizes: number[] = [];
  for (const file of ops) {
    const text = readFileSync(file, 'utf8');
    htmlSizes.push(gz(text));
    const inline = [...text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
    const external = [...text.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => readFileSync(path.join(clientDir, m[1]!)));
    jsSizes.push(gz(inline) + external.reduce((n, b) => n + gz(b), 0));
  }
  htmlSizes.sort((a, b) => a - b);
  jsSizes.sort((a, b) => a - b);
  return {
    pages: html.length,
    operationPages: ops.length,
    operationHtml: { median: pick(htmlSizes, 0.5), p90: pick(htmlSizes, 0.9), max: htmlSizes.at(-1) ?? 0 },
    operationInitialJs: { median: pick(jsSizes, 0.5), max: jsSizes.at(-1) ?? 0 },
    allJsFiles: files.filter((f) => f.endsWith('.js')).reduce((n, f) => n + gz(readFileSync(f)), 0),
    search: measureSearch(clientDir, files),
  };
}

function measureSearch(clientDir: string, files: string[]): SiteSizes['search'] {
  const file = path.join(clientDir, OPERATION_INDEX_PATH);
  const text = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const operations = text.length ? (JSON.parse(text.toString('utf8')) as OperationIndex).ops.length : 0;
  const pagefind = files.filter((f) => f.startsWith(path.join(clientDir, 'pagefind') + path.sep));
  return {
    operationIndex: { bytes: text.length, gzip: text.length ? gz(text) : 0, operations },
    pagefind: { bytes: pagefind.reduce((n, f) => n + statSync(f).size, 0), files: pagefind.length },
  };
}
