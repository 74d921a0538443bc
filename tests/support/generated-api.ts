import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A content repository of generated APIs of a chosen shape, for the tests of how pages scale with
 * an API's size (issue 18). Names have fixed widths, so that two APIs of different sizes give
 * operation pages of the same length when their navigation is the same. `schemas` adds that many
 * small component schemas (`Item0000`, …).
 */
export function writeGeneratedContent(dir: string, apis: Array<{ name: string; tags: number; operationsPerTag: number; schemas?: number }>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'portal.yaml'),
    ['apiVersion: hub.traefik.io/v1alpha1', 'kind: APIPortal', 'metadata:', '  name: scale', '  namespace: scale', 'spec:', '  title: Scale test portal', ''].join('\n'),
  );
  for (const api of apis) {
    const apiDir = path.join(dir, 'apis', api.name);
    mkdirSync(apiDir, { recursive: true });
    const pad = (n: number) => String(n).padStart(4, '0');
    const paths: Record<string, unknown> = {};
    for (let t = 0; t < api.tags; t++) {
      for (let o = 0; o < api.operationsPerTag; o++) {
        paths[`/t${pad(t)}/items${pad(o)}`] = {
          get: { operationId: `t${pad(t)}-list${pad(o)}`, tags: [`Tag ${pad(t)}`], summary: `List items ${pad(o)}`, responses: { '200': { description: 'The items.' } } },
        };
      }
    }
    const document = {
      openapi: '3.1.0',
      info: { title: api.name, version: '1.0.0' },
      servers: [{ url: 'https://api.example.com' }],
      tags: Array.from({ length: api.tags }, (_, t) => ({ name: `Tag ${pad(t)}`, description: `Operations on the items of tag ${pad(t)}.` })),
      paths,
      ...(api.schemas
        ? { components: { schemas: Object.fromEntries(Array.from({ length: api.schemas }, (_, s) => [`Item${pad(s)}`, { type: 'object', properties: { id: { type: 'string' } } }])) } }
        : {}),
    };
    writeFileSync(path.join(apiDir, 'openapi.json'), JSON.stringify(document));
    writeFileSync(
      path.join(apiDir, 'api.yaml'),
      [
        'apiVersion: hub.traefik.io/v1alpha1',
        'kind: API',
        'metadata:',
        `  name: ${api.name}`,
        '  namespace: scale',
        'spec:',
        '  openApiSpec:',
        '    path: /openapi.json',
        '---',
        'apiVersion: hub.traefik.io/v1alpha1',
        'kind: APICatalogItem',
        'metadata:',
        `  name: ${api.name}`,
        '  namespace: scale',
        'spec:',
        '  everyone: true',
        '  apis:',
        `    - name: ${api.name}`,
        '',
      ].join('\n'),
    );
  }
}
