import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/lib/catalog/index.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { lintContent } from '../../src/lib/lint/run.ts';
import { projectRoot } from '../support/portal.ts';

const corpus = path.join(projectRoot, 'tests/fixtures/bad-openapi');
const work = mkdtempSync(path.join(tmpdir(), 'portico-bad-openapi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * What each broken document must be reported for: a reason (in the message) and, when the problem
 * may be placed in another file of a multi-file document, the files it may be placed in.
 */
const EXPECTED: Record<string, { reason: RegExp; files?: string[] }> = {
  'array-root.json': { reason: /must be an object/ },
  'binary-bytes.yaml': { reason: /cannot parse|UTF-8/ },
  'comment-only.yaml': { reason: /empty|no OpenAPI document|nothing/i },
  'deep-nesting-unclosed.json': { reason: /cannot parse/ },
  'deep-nesting-unclosed.yaml': { reason: /cannot parse/ },
  'duplicate-operation-id.yaml': { reason: /operationId `listPets` is already used/ },
  'empty.json': { reason: /cannot parse|empty/i },
  'empty.yaml': { reason: /empty|no OpenAPI document|nothing/i },
  'huge-numbers.yaml': { reason: /`info\.version` must be a string/ },
  'info-wrong-type.yaml': { reason: /`info` must be an object/ },
  'json-duplicate-keys.json': { reason: /"\/pets".*(twice|duplicate)|duplicate.*"\/pets"/i },
  'json-syntax-error.json': { reason: /cannot parse/ },
  'json-trailing-garbage.json': { reason: /cannot parse/ },
  'missing-info.yaml': { reason: /missing required field `info`/ },
  'missing-paths-3-0.yaml': { reason: /missing required field `paths`/ },
  'missing-title-and-version.yaml': { reason: /missing required field `title`/ },
  'non-utf8-latin1.yaml': { reason: /UTF-8/ },
  'operation-wrong-type.yaml': { reason: /`paths\["\/pets"\]\.get` must be an object/ },
  'parameter-missing-in.yaml': { reason: /missing required field `in`/ },
  'path-without-slash.yaml': { reason: /paths\.pets/ },
  'paths-wrong-type.json': { reason: /`paths` must be an object/ },
  'ref-absolute-path.yaml': { reason: /\$ref "\/etc\/passwd"/ },
  'ref-circular-files.yaml': { reason: /circular|cycle|loop|refers to itself/i, files: ['specs/ref-circular-files.yaml', 'specs/parts/cycle-a.yaml', 'specs/parts/cycle-b.yaml'] },
  'ref-circular-local.yaml': { reason: /circular|cycle|loop|refers to itself/i },
  'ref-encoded-traversal.yaml': { reason: /outside the content root/ },
  'ref-file-url.yaml': { reason: /"file:\/\/\/etc\/passwd" is not followed/ },
  'ref-missing-file.yaml': { reason: /does-not-exist\.yaml, which does not exist/ },
  'ref-missing-pointer-in-file.yaml': { reason: /has nothing at "#\/Nope"/ },
  'ref-malformed-percent-file.yaml': { reason: /pet%zz\.yaml/ },
  'ref-malformed-percent-local.yaml': { reason: /Ok%b/ },
  'ref-missing-pointer.yaml': { reason: /#\/components\/schemas\/Nope/ },
  'ref-not-a-string.yaml': { reason: /\$ref` must be a string/ },
  'ref-path-traversal.yaml': { reason: /outside the content root/ },
  'ref-remote-url.yaml': { reason: /169\.254\.169\.254.* is not followed/ },
  'responses-wrong-type.yaml': { reason: /responses` must be an object/ },
  'scalar-root.yaml': { reason: /must be an object/ },
  'swagger-version-wrong.json': { reason: /`swagger: 1\.2` is not a version Portico reads/ },
  'utf16-with-bom.json': { reason: /cannot parse|UTF-16|UTF-8/ },
  'version-number.yaml': { reason: /openapi/ },
  'version-object.yaml': { reason: /openapi/ },
  'version-unknown.yaml': { reason: /`openapi: 4\.0\.0` is not a version Portico reads/ },
  'yaml-alias-bomb.yaml': { reason: /alias/i },
  'yaml-bad-indentation.yaml': { reason: /cannot parse/ },
  'yaml-duplicate-keys.yaml': { reason: /the key "\/pets" appears twice/ },
  'yaml-tab-indentation.yaml': { reason: /Tabs are not allowed/ },
  'yaml-unclosed-flow.yaml': { reason: /cannot parse/ },
};

const cases = readdirSync(corpus)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

/** A content root with one API whose document is the broken file, and the parts it may reference. */
function contentFor(name: string): string {
  const root = path.join(work, name.replace(/\W/g, '_'));
  mkdirSync(path.join(root, 'specs'), { recursive: true });
  cpSync(path.join(corpus, name), path.join(root, 'specs', name));
  cpSync(path.join(corpus, 'parts'), path.join(root, 'specs/parts'), { recursive: true });
  writeFileSync(
    path.join(root, 'api.yaml'),
    [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      '  name: broken',
      '  annotations:',
      `    portico.dev/openapi-file: specs/${name}`,
      'spec:',
      '  openApiSpec:',
      '    path: /openapi.yaml',
      '',
    ].join('\n'),
  );
  return root;
}

/** Every diagnostic is placed in a file of the content root and says something a person can act on. */
function expectWellFormed(diagnostics: Diagnostic[]) {
  for (const d of diagnostics) {
    expect(d.file, JSON.stringify(d)).toMatch(/^[^/].*\S/);
    expect(path.isAbsolute(d.file), d.file).toBe(false);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message.trim().length, JSON.stringify(d)).toBeGreaterThan(10);
    // Engine internals are not reasons a person can act on.
    expect(d.message, d.file).not.toMatch(/Maximum call stack|\[object Object\]|\bundefined\b|TypeError|RangeError|ReferenceError/);
  }
}

describe('the corpus of broken OpenAPI documents', () => {
  it('has an expectation for every file, and a file for every expectation', () => {
    expect(cases).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(cases)('%s', (name) => {
    const expected = EXPECTED[name]!;
    const files = expected.files ?? [`specs/${name}`];

    it('is reported by the catalog loader with the file and the reason, without throwing', async () => {
      const catalog = await loadCatalog(contentFor(name));
      expectWellFormed(catalog.diagnostics);
      const about = catalog.diagnostics.filter((d) => files.includes(d.file));
      expect(about.map((d) => d.message).join('\n'), `diagnostics for ${name}`).toMatch(expected.reason);
      expect(about.find((d) => expected.reason.test(d.message))!.severity).toMatch(/^(error|warning)$/);
      // One problem, a few lines: not one line per nesting level or per alias.
      expect(
        about.length,
        about
          .map((d) => d.message)
          .slice(0, 3)
          .join('\n'),
      ).toBeLessThanOrEqual(10);
      // Whatever could not be read, the API itself is still in the catalog, for the other pages.
      expect(catalog.apis.map((a) => a.key)).toEqual(['default/broken']);
    });

    it('is reported by portico lint with the file and the reason, without throwing', async () => {
      const result = await lintContent(contentFor(name));
      expectWellFormed(result.diagnostics);
      const about = result.diagnostics.filter((d) => files.includes(d.file));
      expect(about.map((d) => d.message).join('\n'), `lint findings for ${name}`).toMatch(expected.reason);
      expect(about.length).toBeLessThanOrEqual(10);
      expect(result.errors + result.warnings).toBeGreaterThan(0);
    });
  });
});
