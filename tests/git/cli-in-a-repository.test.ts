import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The commands where a platform team stands (issue 13): at the top of its own GitOps repository,
 * with no content/ folder and no settings, `portico catalog`, `lint` and `impact` read that
 * repository; a content folder that does not exist is named as such.
 */

const projectRoot = path.resolve(import.meta.dirname, '../..');
let repo: string;
let dataDir: string;

const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();

/** Runs the CLI as a user would, in `cwd`, without the project's settings in the environment. */
function portico(cwd: string, args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTICO_')));
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...clean, NO_COLOR: '1', PORTICO_DATA_DIR: dataDir, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const work = mkdtempSync(path.join(tmpdir(), 'portico-cli-repo-'));
  repo = path.join(work, 'platform-gitops');
  dataDir = path.join(work, 'data');
  // The repository's own top level holds the manifests: no content/ folder.
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'first');
  const plan = path.join(repo, 'catalog.yaml');
  writeFileSync(plan, readFileSync(plan, 'utf8').replace('limit: 100', 'limit: 50'));
  git('commit', '-q', '-am', 'halve the bronze limit');
});
afterAll(() => rmSync(path.dirname(repo), { recursive: true, force: true }));

describe('at the top of a GitOps repository without a content folder', () => {
  it('portico catalog reads the repository it runs in', () => {
    const { code, stdout, stderr } = portico(repo, ['catalog', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).apis.map((a: { key: string }) => a.key)).toEqual(['shop/parcels']);
  });

  it('portico lint reads it too', () => {
    const { code, stdout } = portico(repo, ['lint', '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ errors: 0 });
  });

  it('portico impact HEAD~1..HEAD reports the change, not "spawn git ENOENT"', () => {
    const { code, stdout, stderr } = portico(repo, ['impact', 'HEAD~1..HEAD']);
    expect(stderr).not.toMatch(/ENOENT/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/bronze/);
  });
});

describe('a content folder that does not exist', () => {
  it('is named as such, for every command, without a stack trace', () => {
    for (const args of [['catalog'], ['lint'], ['impact', 'HEAD~1..HEAD']]) {
      const { code, stderr } = portico(repo, args, { PORTICO_CONTENT_DIR: 'no-such-folder' });
      expect(code, args.join(' ')).toBe(1);
      expect(stderr, args.join(' ')).toContain(`there is no content folder at ${path.join(repo, 'no-such-folder')} (PORTICO_CONTENT_DIR)`);
      expect(stderr).not.toMatch(/\n\s+at \S/);
    }
  });
});
