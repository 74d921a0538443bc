import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOpenApiFile, hasExternalRef } from '../../src/lib/catalog/openapi-bundle.ts';
import { parseSourceText } from '../../src/lib/catalog/source.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'portico-bundle-fast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundler skips a document whose $refs all stay in it', () => {
  it.each([
    ['YAML, quoted pointer', "schema:\n  $ref: '#/components/schemas/Pet'\n"],
    ['YAML, double-quoted pointer', 'schema:\n  $ref: "#/components/schemas/Pet"\n'],
    ['YAML, flow mapping', "schema: { $ref: '#/components/schemas/Pet' }\n"],
    ['JSON', '{"schema": {"$ref": "#/components/schemas/Pet"}}'],
    ['JSON, spaced', '{"schema": {"$ref" :   "#/components/schemas/Pet"}}'],
    ['no $ref at all', 'openapi: 3.1.0\npaths: {}\n'],
  ])('sees no external $ref: %s', (_name, text) => {
    expect(hasExternalRef(text)).toBe(false);
  });

  it.each([
    ['YAML, relative file', 'schema:\n  $ref: ./pet.yaml\n'],
    ['YAML, quoted file and pointer', "schema:\n  $ref: 'pet.yaml#/Pet'\n"],
    ['JSON, file', '{"schema": {"$ref": "schemas/pet.json"}}'],
    ['JSON, one local and one external', '{"a": {"$ref": "#/x"}, "b": {"$ref": "b.json"}}'],
    ['remote URL', '{"$ref": "https://example.com/pet.json"}'],
    ['YAML, value on the next line', 'schema:\n  $ref:\n    pet.yaml\n'],
  ])('sees an external $ref: %s', (_name, text) => {
    expect(hasExternalRef(text)).toBe(true);
  });

  it('returns the parsed document itself when nothing leaves it, and inlines a file otherwise', () => {
    const local =
      'openapi: 3.1.0\ninfo: { title: Pets, version: "1" }\npaths: {}\ncomponents:\n  schemas:\n    Pet: { type: object }\n    Pets: { type: array, items: { $ref: "#/components/schemas/Pet" } }\n';
    writeFileSync(path.join(dir, 'local.yaml'), local);
    const parsed = parseSourceText(local, 'local.yaml');
    const result = bundleOpenApiFile(dir, 'local.yaml', new Map([['local.yaml', { text: local, parsed }]]));
    expect(result.issues).toEqual([]);
    // Not walked, so not copied: the very object the parser made.
    expect(result.document).toBe(parsed.documents[0]!.value);

    writeFileSync(path.join(dir, 'pet.yaml'), 'type: object\nproperties: { name: { type: string } }\n');
    const split = 'openapi: 3.1.0\ninfo: { title: Pets, version: "1" }\npaths: {}\ncomponents:\n  schemas:\n    Pets: { type: array, items: { $ref: "./pet.yaml" } }\n';
    writeFileSync(path.join(dir, 'split.yaml'), split);
    const bundled = bundleOpenApiFile(dir, 'split.yaml');
    expect(bundled.issues).toEqual([]);
    expect(JSON.stringify(bundled.document)).not.toContain('pet.yaml');
    expect(JSON.stringify(bundled.document)).toContain('"name"');
  });
});
