import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Catalog, Diagnostic } from '../../src/lib/catalog/index.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';

/*
 * What tests/reliability/bad-openapi.test.ts does not pin down: valid documents that look like the
 * broken ones (recursive schemas, `$ref`s in examples) load without a word, broken ones are reported
 * once at the right place, and the spec cache does not make findings disappear on the next build.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-broken-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HEAD = "openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\n";

let n = 0;
/** A content root with one API whose document is specs/<spec>, plus any other files. */
function contentWith(files: Record<string, string | Buffer>, spec = 'openapi.yaml'): string {
  const root = path.join(work, `root-${++n}`);
  mkdirSync(path.join(root, 'specs'), { recursive: true });
  writeFileSync(
    path.join(root, 'api.yaml'),
    `apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\n  annotations:\n    portico.dev/openapi-file: specs/${spec}\nspec:\n  openApiSpec:\n    path: /openapi.yaml\n`,
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** The problems found in spec files, as `file:line:col severity message`. */
function specProblems(catalog: Catalog): string[] {
  return catalog.diagnostics.filter((d: Diagnostic) => d.file.startsWith('specs/') && d.severity !== 'info').map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message}`);
}

describe('local $refs', () => {
  it('accepts a recursive schema, a pointer through an alias, an anchor, and $refs that are example data', async () => {
    const catalog = await loadCatalog(
      contentWith({
        'specs/openapi.yaml':
          HEAD +
          [
            'paths:',
            '  /nodes:',
            '    get:',
            '      responses:',
            "        '200':",
            '          description: ok',
            '          content:',
            '            application/json:',
            '              schema:',
            "                $ref: '#/components/schemas/Node'",
            '              example:',
            "                $ref: '#/this/is/data'",
            'components:',
            '  schemas:',
            '    Node:',
            '      type: object',
            '      properties:',
            '        children:',
            '          type: array',
            '          items:',
            "            $ref: '#/components/schemas/Node'",
            '    Alias:',
            "      $ref: '#/components/schemas/Node'",
            '    Children:',
            "      $ref: '#/components/schemas/Alias/properties/children'",
            '    Literal:',
            '      type: object',
            '      default:',
            "        $ref: '#/also/data'",
            '',
          ].join('\n'),
      }),
    );
    expect(specProblems(catalog)).toEqual([]);
  });

  it('reports a $ref to itself and a dangling one, once each, with the closest name', async () => {
    const catalog = await loadCatalog(
      contentWith({
        'specs/openapi.yaml':
          HEAD +
          [
            'paths: {}',
            'components:',
            '  schemas:',
            '    Pet:',
            '      type: object',
            '    Self:',
            "      $ref: '#/components/schemas/Self'",
            '    A:',
            "      $ref: '#/components/schemas/Pett'",
            '    B:',
            "      $ref: '#/components/schemas/Pett'",
            '',
          ].join('\n'),
      }),
    );
    expect(specProblems(catalog)).toEqual([
      'specs/openapi.yaml:11:13 error $ref "#/components/schemas/Self" refers to itself, so it never leads to a definition',
      'specs/openapi.yaml:13:13 error $ref "#/components/schemas/Pett" points to nothing: `components.schemas` has no `Pett`; did you mean `Pet`?; 1 other $ref uses the same pointer',
    ]);
  });

  it('reports a cycle through an external file that comes back to the root document', async () => {
    const catalog = await loadCatalog(
      contentWith({
        'specs/openapi.yaml': HEAD + "paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: './a.yaml'\n",
        'specs/a.yaml': "$ref: './openapi.yaml#/components/schemas/A'\n",
      }),
    );
    expect(specProblems(catalog)).toEqual(['specs/a.yaml:1:7 error $ref "#/components/schemas/A" refers to itself, so it never leads to a definition']);
  });

  it('keeps hoisting a schema that recurses across files, without a word', async () => {
    const catalog = await loadCatalog(
      contentWith({
        'specs/openapi.yaml':
          HEAD +
          "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: './a.yaml'\n",
        'specs/a.yaml': "type: object\nproperties:\n  b:\n    $ref: './b.yaml'\n",
        'specs/b.yaml': "$ref: './a.yaml'\n",
      }),
    );
    expect(specProblems(catalog)).toEqual([]);
    const schemas = (catalog.apis[0]!.versions[0]!.spec!.document.components as any).schemas;
    expect(schemas.a.properties.b).toEqual({ $ref: '#/components/schemas/a' });
  });

  it('reports a broken percent-encoding in the pointer of a file $ref', async () => {
    const catalog = await loadCatalog(
      contentWith({
        'specs/openapi.yaml': HEAD + "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: './parts.yaml#/Ok%zz'\n",
        'specs/parts.yaml': 'Ok:\n  description: ok\n',
      }),
    );
    expect(specProblems(catalog)).toContain('specs/openapi.yaml:10:17 error $ref "./parts.yaml#/Ok%zz" cannot be decoded: "%zz" is not a percent-encoded byte (write a literal % as %25)');
  });
});

describe('documents nested too deeply', () => {
  const message = 'lists and mappings are nested more than 256 levels deep here; Portico reads at most 256 levels';

  it('refuses closed JSON 50,000 levels deep with one message, at the level that is too deep', async () => {
    const prefix = '{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x-deep":';
    const catalog = await loadCatalog(contentWith({ 'specs/openapi.json': `${prefix}${'['.repeat(50_000)}${']'.repeat(50_000)}}` }, 'openapi.json'));
    const column = prefix.length + 256; // the 256th `[` opens level 257: the root object is level 1
    // Counted once: the content scan and the bundler both parse the file, and say it once between them.
    expect(specProblems(catalog)).toEqual([`specs/openapi.json:1:${column} error cannot parse JSON: ${message}`]);
  });

  it('refuses YAML nested by indentation or by brackets with one message each', async () => {
    const block = HEAD + 'paths: {}\nx-deep:\n' + Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n') + ' 1\n';
    const flow = HEAD + `paths: {}\nx-deep: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    for (const text of [block, flow]) {
      const problems = specProblems(await loadCatalog(contentWith({ 'specs/openapi.yaml': text })));
      expect(problems).toHaveLength(1); // said once, under the `openapi` rule (issue 18: no longer once per rule)
      for (const p of problems) expect(p).toContain(message);
    }
  });
});

describe('what the parsers used to lose without a word', () => {
  it('reports a YAML key that is a list as a warning, and prints nothing on stderr', async () => {
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on('warning', listen);
    try {
      const catalog = await loadCatalog(contentWith({ 'specs/openapi.yaml': HEAD + 'paths: {}\nx-odd:\n  ? [a, b]\n  : 1\n' }));
      await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
      expect(specProblems(catalog)).toEqual(['specs/openapi.yaml:7:5 warning this key is a list, which JSON and OpenAPI cannot hold as a key; Portico turns it into text, so use a plain key']);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', listen);
    }
  });

  it('names the byte that is not UTF-8 and the line, and keeps saying so when the spec cache is warm', async () => {
    const root = contentWith({ 'specs/openapi.yaml': Buffer.from(`${HEAD.replace('title: T', 'title: caf\xe9')}paths: {}\n`, 'latin1') });
    const cacheDir = path.join(root, '.data/cache');
    const expected =
      'specs/openapi.yaml:3:13 error the file is not valid UTF-8: byte offset 33 (line 3) holds 0xE9, which Portico shows as "\uFFFD"; save the file as UTF-8 (it looks like Latin-1 or Windows-1252)';
    expect(specProblems(await loadCatalog(root, { cacheDir }))).toEqual([expected]);
    expect(specProblems(await loadCatalog(root, { cacheDir }))).toEqual([expected]);
  });

  it('reports a duplicate JSON key where it is, cold and from the cache', async () => {
    const root = contentWith({ 'specs/openapi.json': '{"openapi":"3.0.3",\n"info":{"title":"a","version":"1","title":"b"},\n"paths":{}}\n' }, 'openapi.json');
    const cacheDir = path.join(root, '.data/cache');
    const expected = 'specs/openapi.json:2:35 error the key "title" appears twice in one object (first at line 2, column 9); JSON keeps only the last one, so the first is lost';
    expect(specProblems(await loadCatalog(root, { cacheDir }))).toEqual([expected]);
    expect(specProblems(await loadCatalog(root, { cacheDir }))).toEqual([expected]);
  });

  it('says a UTF-16 file must be saved as UTF-8, instead of quoting its bytes', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"openapi": "3.0.3"}', 'utf16le')]);
    const catalog = await loadCatalog(contentWith({ 'specs/openapi.json': utf16 }, 'openapi.json'));
    expect(specProblems(catalog)).toContain(
      'specs/openapi.json:1:1 error cannot parse JSON: the file is UTF-16 (it starts with a UTF-16 byte order mark); Portico reads YAML and JSON as UTF-8, so save it as UTF-8',
    );
  });

  it('says why `openapi: 3.0` is not a version', async () => {
    const catalog = await loadCatalog(contentWith({ 'specs/openapi.yaml': "openapi: 3.0\ninfo:\n  title: T\n  version: '1'\npaths: {}\n" }));
    expect(specProblems(catalog)).toEqual([
      'specs/openapi.yaml:1:10 error `openapi` must be a string such as "3.0.3" or "3.1.0", not the number 3 (unquoted, YAML reads a version such as 3.0 as a number); write the full version in quotes, e.g. `openapi: "3.0.3"`',
    ]);
  });
});

describe('symbolic links out of the content root', () => {
  it('are refused for guides too, and what they point to is not shown', async () => {
    const outside = path.join(work, `outside-${++n}`);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'guide.md'), '# Not ours\n\nsecret words\n');
    const root = contentWith({ 'specs/openapi.yaml': HEAD + 'paths: {}\n', 'docs/ours.md': '# Ours\n' });
    symlinkSync(path.join(outside, 'guide.md'), path.join(root, 'docs/linked.md'));
    symlinkSync(outside, path.join(root, 'docs/linked-folder'));
    const catalog = await loadCatalog(root);
    expect(catalog.guides.map((g) => g.title)).toEqual(['Ours']);
    expect(JSON.stringify(catalog)).not.toContain('secret words');
    expect(catalog.diagnostics.filter((d) => d.file.startsWith('docs/')).map((d) => `${d.file} ${d.message}`)).toEqual([
      'docs/linked-folder this folder is a symbolic link that leads outside the content root, so Portico does not read it',
      'docs/linked.md this file is a symbolic link that leads outside the content root, so Portico does not read it',
    ]);
  });

  it('are followed when they stay inside the root', async () => {
    const root = contentWith({ 'shared/openapi.yaml': HEAD + "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n" });
    symlinkSync(path.join(root, 'shared/openapi.yaml'), path.join(root, 'specs/openapi.yaml'));
    const catalog = await loadCatalog(root);
    expect(specProblems(catalog)).toEqual([]);
    expect(catalog.apis[0]!.versions[0]!.operations.map((o) => `${o.method} ${o.path}`)).toEqual(['get /a']);
  });
});
