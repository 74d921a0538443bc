import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/lib/catalog/index.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { lintCatalog } from '../../src/lib/lint/run.ts';
import type { Resource } from '../../src/lib/catalog/resources.ts';
import { projectRoot } from '../support/portal.ts';

/*
 * Random and mutated documents through the catalog loader and the linter: whatever the bytes, they
 * never throw, and every diagnostic names a file of the content root and says something. The run
 * counts keep the file to a few seconds; a failure prints the seed and the shrunk document.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-fuzz-catalog-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const VALID_YAML = readFileSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic/apis/parcels/openapi.yaml'), 'utf8');
const VALID_JSON = readFileSync(path.join(projectRoot, 'tests/fixtures/catalog/swagger2/swagger.json'), 'utf8');

let runs = 0;
/** Loads a content root whose one API's document is `text`, and lints it; returns every diagnostic. */
async function loadAndLint(text: string | Buffer, extension: 'yaml' | 'json'): Promise<Diagnostic[]> {
  const root = path.join(work, `run-${++runs}`);
  mkdirSync(path.join(root, 'specs'), { recursive: true });
  writeFileSync(path.join(root, 'specs', `doc.${extension}`), text);
  writeFileSync(path.join(root, 'specs', 'part.yaml'), 'Thing:\n  type: object\n');
  writeFileSync(
    path.join(root, 'api.yaml'),
    `apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: fuzzed\n  annotations:\n    portico.dev/openapi-file: specs/doc.${extension}\nspec:\n  openApiSpec:\n    path: /openapi.yaml\n`,
  );
  try {
    let resources: Resource[] = [];
    const catalog = await loadCatalog(root, { onScan: (scan) => (resources = scan.resources) });
    const lint = lintCatalog(catalog, resources);
    return [...catalog.diagnostics, ...lint.diagnostics];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function wellFormed(diagnostics: Diagnostic[]): boolean {
  for (const d of diagnostics) {
    if (typeof d.file !== 'string' || !d.file || path.isAbsolute(d.file) || d.file.startsWith('..')) throw new Error(`diagnostic without a file of the content root: ${JSON.stringify(d)}`);
    if (typeof d.message !== 'string' || d.message.trim().length < 5) throw new Error(`diagnostic without a reason: ${JSON.stringify(d)}`);
    if (!(d.line >= 1 && d.column >= 1)) throw new Error(`diagnostic without a position: ${JSON.stringify(d)}`);
  }
  return true;
}

/** Pieces of YAML, JSON and OpenAPI, so random text often gets past the parser and into the model. */
const TOKENS = [
  'openapi: 3.0.3\n',
  'openapi: 3.1.0\n',
  'swagger: "2.0"\n',
  'info:\n',
  '  title: T\n',
  '  version: "1"\n',
  'paths:\n',
  '  /pets:\n',
  '    get:\n',
  '      responses:\n',
  "        '200':\n",
  '          description: ok\n',
  'components:\n',
  '  schemas:\n',
  '$ref: ',
  "'#/components/schemas/A'",
  "'./part.yaml#/Thing'",
  "'../../etc/passwd'",
  'http://169.254.169.254/',
  '{',
  '}',
  '[',
  ']',
  ':',
  ', ',
  '- ',
  '  ',
  '\n',
  '\t',
  '"',
  "'",
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '? ',
  '| ',
  '> ',
  '# c',
  '---\n',
  '...\n',
  '~',
  'null',
  'true',
  '1e400',
  '-0',
  '0x1F',
  '99999999999999999999',
  '\u0000',
  '\u00e9',
  '\ud83d\ude00',
  '\ufeff',
  '%YAML 1.2\n',
  'type: object\n',
  'properties:\n',
  'items:\n',
  'allOf:\n',
  'parameters:\n',
  '- name: id\n',
  '  in: path\n',
  'required: true\n',
  'operationId: x\n',
  'x-ext: 1\n',
];

const yamlish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(''));

/** A few edits of a valid document: deletions, insertions, duplicated lines, swapped characters. */
function mutated(valid: string) {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })) }),
    fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('replace-char' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let text = valid;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + e.length);
      else if (e.kind === 'insert') text = text.slice(0, at) + e.text + text.slice(at);
      else if (e.kind === 'replace-char') text = text.slice(0, at) + e.text + text.slice(at + 1);
      else {
        const start = text.lastIndexOf('\n', at - 1) + 1;
        const end = text.indexOf('\n', at);
        const line = text.slice(start, end === -1 ? undefined : end + 1);
        text = text.slice(0, start) + line + text.slice(start);
      }
    }
    return text;
  });
}

const settings = { numRuns: 60, endOnFailure: true };

describe('the catalog loader and the linter under random input', () => {
  it('never throw on YAML-ish token soup, and place every diagnostic in a file', async () => {
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => wellFormed(await loadAndLint(text, 'yaml'))),
      settings,
    );
  });

  it('never throw on arbitrary bytes, as YAML or as JSON', async () => {
    const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom('yaml' as const, 'json' as const), async (b, ext) => wellFormed(await loadAndLint(b, ext))),
      settings,
    );
  });

  it('never throw on random JSON values, bare or inside an OpenAPI-shaped object', async () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        openapi: fc.constantFrom('3.0.3', '3.1.0', 3, '4.0.0'),
        info: fc.jsonValue({ maxDepth: 2 }),
        paths: fc.dictionary(
          fc.string({ maxLength: 6 }).map((s) => `/${s}`),
          fc.jsonValue({ maxDepth: 4 }),
          { maxKeys: 4 },
        ),
      }),
      fc.record({
        openapi: fc.constant('3.0.3'),
        info: fc.constant({ title: 't', version: '1' }),
        paths: fc.constant({}),
        components: fc.record({ schemas: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }) }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(doc, async (value) => wellFormed(await loadAndLint(JSON.stringify(value) ?? 'null', 'json'))),
      settings,
    );
  });

  it('never throw on random $ref values, local or to files', async () => {
    const refChars = fc.constantFrom(...'#/.%~_-:?&=@ abAZ09\u00e9'.split(''), '%2e', '%zz', '..', '~1', '~2', 'parts', '.yaml', '://');
    const ref = fc.array(refChars, { maxLength: 24 }).map((parts) => parts.join(''));
    const doc = fc.tuple(ref, ref).map(([inResponse, inSchema]) =>
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'refs', version: '1' },
        paths: { '/pets': { get: { responses: { '200': { $ref: inResponse }, '201': { description: 'ok', content: { 'application/json': { schema: { $ref: inSchema } } } } } } } },
        components: { responses: { Ok: { description: 'ok' } }, schemas: { A: { type: 'object' } } },
      }),
    );
    await fc.assert(
      fc.asyncProperty(doc, async (text) => wellFormed(await loadAndLint(text, 'json'))),
      settings,
    );
  });

  it('never throw on mutations of a valid YAML document', async () => {
    expect((await loadAndLint(VALID_YAML, 'yaml')).filter((d) => d.severity === 'error')).toEqual([]); // the starting point is valid
    await fc.assert(
      fc.asyncProperty(mutated(VALID_YAML), async (text) => wellFormed(await loadAndLint(text, 'yaml'))),
      settings,
    );
  });

  it('never throw on mutations of a valid JSON document', async () => {
    expect((await loadAndLint(VALID_JSON, 'json')).filter((d) => d.severity === 'error')).toEqual([]);
    await fc.assert(
      fc.asyncProperty(mutated(VALID_JSON), async (text) => wellFormed(await loadAndLint(text, 'json'))),
      settings,
    );
  });
});
