import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkProjectModules } from '../../src/lib/node-modules-link.ts';
import { projectRoot } from '../support/portal.ts';

// The CI run of 2026-12-06 failed two build tests on `EEXIST: file already exists, symlink
// '…/node_modules' -> '/tmp/node_modules'`: the link beside a site built outside the project was
// made after a check for it, and a link left by a removed checkout, or made by another build at the
// same moment, stopped the build.
const work = mkdtempSync(path.join(tmpdir(), 'portico-modules-link-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const packages = path.join(projectRoot, 'node_modules');

describe('the link from a site or data folder outside the project to its packages', () => {
  it('is made in a new folder, and resolves to the packages', () => {
    const dir = path.join(work, 'fresh', 'data');
    linkProjectModules(projectRoot, dir);
    expect(readlinkSync(path.join(dir, 'node_modules'))).toBe(packages);
    expect(existsSync(path.join(dir, 'node_modules', 'astro', 'package.json'))).toBe(true);
    expect(readdirSync(dir)).toEqual(['node_modules']);
  });

  it('replaces a link whose target is gone, and leaves a folder or a working link as they are', () => {
    const stale = path.join(work, 'stale');
    mkdirSync(stale);
    symlinkSync(path.join(work, 'removed-checkout', 'node_modules'), path.join(stale, 'node_modules'), 'dir');
    linkProjectModules(projectRoot, stale);
    expect(readlinkSync(path.join(stale, 'node_modules'))).toBe(packages);
    expect(readdirSync(stale)).toEqual(['node_modules']);

    const own = path.join(work, 'own');
    mkdirSync(path.join(own, 'node_modules'), { recursive: true });
    writeFileSync(path.join(own, 'node_modules', 'keep'), 'theirs');
    linkProjectModules(projectRoot, own);
    expect(lstatSync(path.join(own, 'node_modules')).isDirectory()).toBe(true);
    expect(readdirSync(path.join(own, 'node_modules'))).toEqual(['keep']);

    const elsewhere = path.join(work, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(path.join(own, 'node_modules'), path.join(elsewhere, 'node_modules'), 'dir');
    linkProjectModules(projectRoot, elsewhere);
    expect(realpathSync(path.join(elsewhere, 'node_modules'))).toBe(realpathSync(path.join(own, 'node_modules')));
  });

  it('is made by several processes into the same folders at once, and none of them fails', async () => {
    // Six processes load the module, say they are ready, wait for the same file, then link the same
    // 200 folders in the same order: as many builds into one parent folder at once. The check-then-
    // symlink this replaced failed here with EEXIST in five of the six processes.
    const parents = path.join(work, 'shared-parents');
    const go = path.join(work, 'go');
    const script = `
      const { existsSync } = require('node:fs');
      import(${JSON.stringify(path.join(projectRoot, 'src/lib/node-modules-link.ts'))}).then((m) => {
        process.stdout.write('ready');
        while (!existsSync(${JSON.stringify(go)})) {}
        try {
          for (let i = 0; i < 200; i++) m.linkProjectModules(${JSON.stringify(projectRoot)}, ${JSON.stringify(parents)} + '/' + i);
        } catch (e) {
          console.error(e.message);
          process.exit(1);
        }
      });`;
    let ready = 0;
    const children = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.once('data', () => ++ready === 6 && writeFileSync(go, ''));
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
    });
    for (const result of await Promise.all(children)) expect(result).toEqual({ code: 0, stderr: '' });
    for (let i = 0; i < 200; i++) {
      expect(readlinkSync(path.join(parents, String(i), 'node_modules'))).toBe(packages);
      expect(readdirSync(path.join(parents, String(i)))).toEqual(['node_modules']);
    }
  }, 60_000);

  it('says which link it could not make, and what to do, when the folder cannot hold one', () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, '');
    expect(() => linkProjectModules(projectRoot, path.join(file, 'site-parent'))).toThrow(
      expect.objectContaining({
        message: `cannot link ${path.join(file, 'site-parent', 'node_modules')} to the project's packages: a part of that path is a file, not a folder`,
        hint: 'build into a folder whose parent folder you can write to, e.g. --out ./site',
      }),
    );
  });
});
