import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * A content repository for the site benchmark: the demo content plus the GitHub REST description
 * as a public API of the demo portal (so every one of its 1,223 operations gets a page).
 */
export function writeBenchContent(projectRoot: string, target: string): void {
  const require = createRequire(import.meta.url);
  cpSync(path.join(projectRoot, 'content'), target, { recursive: true });
  const dir = path.join(target, 'clusters/production/logistics/apis/github');
  mkdirSync(dir, { recursive: true });
  cpSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), path.join(dir, 'api.github.com.json'));
  writeFileSync(
    path.join(dir, 'api.yaml'),
    [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      '  name: github',
      '  namespace: logistics',
      '  annotations:',
      '    portico.dev/openapi-file: api.github.com.json',
      'spec:',
      '  title: GitHub REST API',
      '  openApiSpec:',
      '    path: /openapi.json',
      '---',
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: APICatalogItem',
      'metadata:',
      '  name: github-public',
      '  namespace: logistics',
      'spec:',
      '  everyone: true',
      '  apis:',
      '    - name: github',
      '',
    ].join('\n'),
  );
}
