import { stringify } from 'yaml';
import type { OpenApiObject } from '../catalog/model.ts';
import type { DocsVersion } from './site.ts';

/**
 * The document a consumer downloads: the normalised 3.1 document with its servers as Portico shows
 * them, and without the operations this audience may not see (an operation filter hides them).
 */
export function publishedDocument(version: DocsVersion): OpenApiObject {
  const doc = version.version.spec?.document ?? {};
  const visible = new Set(version.operations.map((op) => `${op.method} ${op.path}`));
  const paths: Record<string, OpenApiObject> = {};
  for (const [path, rawItem] of Object.entries((doc.paths as Record<string, OpenApiObject> | undefined) ?? {})) {
    const item: OpenApiObject = {};
    for (const [key, value] of Object.entries(rawItem ?? {})) {
      const isMethod = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(key);
      if (!isMethod || visible.has(`${key} ${path}`)) item[key] = value;
    }
    if (Object.keys(item).some((k) => ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(k))) paths[path] = item;
  }
  return { ...doc, servers: version.version.servers, paths };
}

/** The published document as JSON. */
export function specToJson(version: DocsVersion): string {
  return JSON.stringify(publishedDocument(version), null, 2);
}

/** The published document as YAML; aliases off, so every `$ref` stays as written. */
export function specToYaml(version: DocsVersion): string {
  return stringify(publishedDocument(version), { aliasDuplicateObjects: false, lineWidth: 0 });
}
