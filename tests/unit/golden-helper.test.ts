import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectGoldenFile, expectGoldenTree } from '../support/golden.ts';

/* The one golden helper (issue 16): a missing golden file fails instead of being written and passing. */

const dir = mkdtempSync(path.join(tmpdir(), 'portico-golden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('golden files, when not updating them', () => {
  it('fail when the golden file is missing, naming it and how to write it', () => {
    const file = path.join(dir, 'missing.txt');
    expect(() => expectGoldenFile(file, 'anything', false)).toThrow(`the golden file ${file} is missing: run the tests with UPDATE_GOLDEN=1 to write it, and review it`);
  });

  it('fail when the golden folder is missing', () => {
    expect(() => expectGoldenTree(path.join(dir, 'missing-expected'), new Map([['a.yaml', 'a: 1\n']]), false)).toThrow(/golden folder .*missing-expected is missing/);
  });

  it('pass on the same bytes and fail on others', () => {
    const file = path.join(dir, 'written.txt');
    expectGoldenFile(file, 'same\n', true);
    expect(() => expectGoldenFile(file, 'same\n', false)).not.toThrow();
    expect(() => expectGoldenFile(file, 'other\n', false)).toThrow();
  });
});
