import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { lintContent } from '../../src/lib/lint/run.ts';

/*
 * A spec is untrusted input (a pull request may change it, and CI lints pull requests): no
 * reference in it may make Portico read a file outside the content root. "Never read" is checked
 * two ways: the secret's text appears nowhere in what Portico produced, and the secret file's
 * access time did not move (set far in the past, so any read would update it).
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-traversal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const marker = `SECRET-${generateSecureRandomString()}`;
const outside = path.join(work, 'outside');
const secretFile = path.join(outside, 'secret.yaml');
mkdirSync(outside);
// Shaped like a spec fragment, so a loader that read it would happily use it.
writeFileSync(secretFile, `Secret:\n  type: string\n  description: ${marker}\n`);
const LONG_AGO = new Date('2001-01-01T00:00:00Z');
const resetAccessTime = () => utimesSync(secretFile, LONG_AGO, new Date());
const wasRead = () => statSync(secretFile).atime.getTime() !== LONG_AGO.getTime();

let n = 0;
/** A content root whose one API's document references `ref` (from specs/openapi.yaml); `setup` may add files. */
function contentWith(ref: string, setup: (root: string) => void = () => {}): string {
  const root = path.join(work, `root-${++n}`, 'content');
  mkdirSync(path.join(root, 'specs'), { recursive: true });
  writeFileSync(
    path.join(root, 'api.yaml'),
    'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\n  annotations:\n    portico.dev/openapi-file: specs/openapi.yaml\nspec:\n  openApiSpec:\n    path: /openapi.yaml\n',
  );
  writeFileSync(
    path.join(root, 'specs/openapi.yaml'),
    `openapi: 3.0.3\ninfo:\n  title: Pets\n  version: 1.0.0\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema:\n                $ref: '${ref}'\n`,
  );
  setup(root);
  return root;
}

describe('spec references that lead out of the content root', () => {
  it('the instrument works: reading the secret file moves its access time', () => {
    resetAccessTime();
    expect(wasRead()).toBe(false);
    readFileSync(secretFile);
    expect(wasRead(), 'this filesystem does not record access times (noatime); point TMPDIR at one that does').toBe(true);
  });

  const relativeOut = path.relative(path.join(work, 'root-x', 'content', 'specs'), secretFile); // ../../../outside/secret.yaml
  const cases: Array<[string, string, RegExp, ((root: string) => void)?]> = [
    ['a relative path up and out', `${relativeOut}#/Secret`, /outside the content root/],
    ['many ../ past the file system root', `../../../../../../../../../../..${secretFile}#/Secret`, /outside the content root/],
    ['percent-encoded dots', `${relativeOut.replaceAll('.', '%2e')}#/Secret`, /outside the content root/],
    ['an absolute path', `${secretFile}#/Secret`, /outside the content root|does not exist/],
    ['a file: URL', `file://${secretFile}#/Secret`, /is not followed/],
    ['a backslashed path', `${relativeOut.replaceAll('/', '\\')}#/Secret`, /outside the content root|does not exist/],
    ['a symbolic link inside the root that points outside', './leak.yaml#/Secret', /outside the content root|link/, (root) => symlinkSync(secretFile, path.join(root, 'specs/leak.yaml'))],
    ['a linked folder inside the root that points outside', './shared/secret.yaml#/Secret', /outside the content root|link/, (root) => symlinkSync(outside, path.join(root, 'specs/shared'), 'dir')],
  ];

  it.each(cases)('refuses %s, saying where and why, and never reads the file', async (_what, ref, reason, setup) => {
    const root = contentWith(ref, setup);
    resetAccessTime();
    const catalog = await loadCatalog(root);
    const lint = await lintContent(root);
    expect(wasRead(), `${secretFile} was read`).toBe(false);
    expect(JSON.stringify(catalog)).not.toContain(marker);
    expect(JSON.stringify(lint.diagnostics)).not.toContain(marker);
    const about = [...catalog.diagnostics, ...lint.diagnostics].filter((d) => d.file.startsWith('specs/'));
    expect(about.map((d) => `${d.file}: ${d.message}`).join('\n')).toMatch(reason);
    for (const d of about) expect(path.isAbsolute(d.file)).toBe(false);
  });
});
