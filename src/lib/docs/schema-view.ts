import type { Operation } from '../catalog/model.ts';
import { exampleFromSchema, prettyJsonWithin } from './example.ts';
import { buildSchemaTree, type SchemaNode } from './schema-tree.ts';
import { hrefOfOperation, type DocsApi, type DocsVersion } from './site.ts';

/** What a schema page shows, as plain data. */
export interface SchemaView {
  name: string;
  tree: SchemaNode;
  example?: string;
  usedBy: Array<{ method: string; path: string; summary?: string; href: string }>;
  schemaBaseHref: string;
}

/** Builds a component schema's page from its version and the operations that use it. */
export function buildSchemaView(api: DocsApi, version: DocsVersion, name: string, usedBy: Operation[]): SchemaView {
  const doc = version.version.spec?.document ?? {};
  const ref = { $ref: `#/components/schemas/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` };
  const example = exampleFromSchema(doc, ref);
  const text = example === undefined ? undefined : prettyJsonWithin(example, 6000);
  return {
    name,
    tree: buildSchemaTree(doc, ref, { maxNodes: 400, maxRefDepth: 2 }),
    example: text && text.length > 6000 ? `${text.slice(0, 6000)}\n…` : text,
    usedBy: usedBy.map((op) => ({ method: op.method, path: op.path, summary: op.summary, href: hrefOfOperation(api, version, op) })),
    schemaBaseHref: `${version.href}schemas/`,
  };
}
