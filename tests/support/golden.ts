import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/**
 * Golden files: what a renderer or formatter must produce, byte for byte. `UPDATE_GOLDEN=1` rewrites
 * them after a deliberate change (and the diff is reviewed like code); otherwise a missing golden
 * file is a failure, never written quietly, so a test can never pass by creating its own expectation.
 */
export const UPDATING_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** Compares `text` with the golden file `file` (rewriting it first when updating). */
export function expectGoldenFile(file: string, text: string, update = UPDATING_GOLDEN): void {
  if (update) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  if (!existsSync(file)) throw new Error(`the golden file ${file} is missing: run the tests with UPDATE_GOLDEN=1 to write it, and review it`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Every file below `dir`, as paths relative to it and their text; empty when `dir` does not exist. */
export function readGoldenTree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) for (const [k, v] of readGoldenTree(full, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, readFileSync(full, 'utf8'));
  }
  return out;
}

/** Compares rendered files (path -> text) with the golden folder `dir`: the same files, the same bytes. */
export function expectGoldenTree(dir: string, files: Map<string, string>, update = UPDATING_GOLDEN): void {
  if (update) {
    rmSync(dir, { recursive: true, force: true });
    for (const [file, text] of files) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  }
  if (!existsSync(dir)) throw new Error(`the golden folder ${dir} is missing: run the tests with UPDATE_GOLDEN=1 to write it, and review it`);
  const expected = readGoldenTree(dir);
  expect([...files.keys()].sort()).toEqual([...expected.keys()]);
  for (const [file, text] of files) expect(text, file).toBe(expected.get(file));
}
