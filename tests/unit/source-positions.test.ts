import { describe, expect, it } from 'vitest';
import { parseSourceText } from '../../src/lib/catalog/source.ts';

const JSON_TEXT = `{
  "openapi": "3.1.0",
  "paths": {
    "/a": { "get": { "summary": "A, with \\"quotes\\" and {braces}" } },
    "/b": {
      "post": { "tags": ["x", "y"] },
      "get": {}
    }
  },
  "list": [1, {"k": [true, null]}, "s"]
}`;

describe('positions in JSON documents', () => {
  const doc = parseSourceText(JSON_TEXT, 'spec.json').documents[0]!;

  /** Line and column of the `nth` occurrence of `needle` in the text, found independently of the locator. */
  const find = (needle: string, nth = 0) => {
    let at = -1;
    for (let n = 0; n <= nth; n++) at = JSON_TEXT.indexOf(needle, at + 1);
    const before = JSON_TEXT.slice(0, at);
    return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
  };

  it('points at object member keys and array items', () => {
    expect(doc.positionOf(['paths'])).toEqual(find('"paths"'));
    expect(doc.positionOf(['paths', '/b', 'get'])).toEqual(find('"get"', 1));
    expect(doc.positionOf(['paths', '/a', 'get', 'summary'])).toEqual(find('"summary"'));
    expect(doc.positionOf(['paths', '/b', 'post', 'tags', 1])).toEqual(find('"y"'));
    expect(doc.positionOf(['list', 1, 'k', 1])).toEqual(find('null'));
    expect(doc.positionOf(['list', 2])).toEqual(find('"s"'));
    expect(find('"y"')).toEqual({ line: 6, column: 31 });
  });

  it('gives the same answers in any order (the member cache is consistent)', () => {
    const again = parseSourceText(JSON_TEXT, 'spec.json').documents[0]!;
    expect(again.positionOf(['paths', '/b', 'get'])).toEqual(find('"get"', 1));
    expect(again.positionOf(['paths', '/a', 'get'])).toEqual(find('"get"'));
    expect(again.positionOf(['paths', '/b', 'post'])).toEqual(find('"post"'));
  });

  it('falls back to the deepest existing parent', () => {
    expect(doc.positionOf(['paths', '/c', 'get'])).toEqual(find('"paths"'));
    expect(doc.positionOf(['list', 9])).toEqual(find('"list"'));
  });
});

describe('positions in YAML documents', () => {
  const text = 'a: 1\n---\nkind: API\nspec:\n  apis:\n    - name: ghost\n';
  const parsed = parseSourceText(text, 'x.yaml');

  it('places each document of a multi-document file, values at the value', () => {
    expect(parsed.documents.map((d) => d.index)).toEqual([0, 1]);
    expect(parsed.documents[1]!.positionOf(['spec', 'apis', 0, 'name'])).toEqual({ line: 6, column: 13 });
    expect(parsed.documents[1]!.positionOf(['spec', 'apis'])).toEqual({ line: 5, column: 3 });
  });
});
