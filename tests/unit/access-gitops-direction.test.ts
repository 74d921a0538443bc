import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 16: access and gitops imported each other. The dependency goes one way, gitops -> access
// (the writer reads grants from the tables access writes); access never imports gitops.
const ROOT = path.resolve(import.meta.dirname, '../..');
const ACCESS = path.join(ROOT, 'src/lib/access');
const GITOPS = path.join(ROOT, 'src/lib/gitops');

/** Every module specifier of a TypeScript file: static imports and re-exports (also type-only and multi-line), side-effect imports, dynamic imports. */
function importsOf(text: string): string[] {
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

const isInside = (file: string, dir: string) => !path.relative(dir, file).startsWith('..');

describe('access and gitops', () => {
  it('the import parser sees every form of import', () => {
    const text = [
      "import { a } from '../gitops/one.ts';",
      "import type { B } from '../gitops/two.ts';",
      'import {\n  c,\n  type D,\n} from "../gitops/three.ts";',
      "export { e } from '../gitops/four.ts';",
      "export * from '../gitops/five.ts';",
      "import '../gitops/six.ts';",
      "const g = await import('../gitops/seven.ts');",
      "import x, * as y from '../gitops/eight.ts';",
    ].join('\n');
    expect(importsOf(text)).toEqual(expect.arrayContaining(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'].map((n) => `../gitops/${n}.ts`)));
  });

  it('nothing under src/lib/access imports src/lib/gitops', () => {
    const files = sourceFiles(ACCESS);
    expect(files.length).toBeGreaterThan(0);
    const wrongWay = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((spec) => spec.startsWith('.'))
        .filter((spec) => isInside(path.resolve(path.dirname(file), spec), GITOPS))
        .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
    );
    expect(wrongWay, 'access must not import gitops: move what both need to access, or the code that needs gitops to gitops').toEqual([]);
  });
});
