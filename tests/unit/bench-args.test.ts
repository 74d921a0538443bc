import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, snapshotRevision } from '../../src/bench/build.ts';
import { parseBenchArgs } from '../../src/bench/run.ts';

const work = mkdtempSync(path.join(tmpdir(), 'portico-bench-args-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run bench, before and after in one run', () => {
  it('takes --baseline with a commit, and says what a flag without a value lacks', () => {
    expect(parseBenchArgs(['--only', 'provisioning', '--baseline', 'main~3'])).toMatchObject({ sections: ['provisioning'], baseline: 'main~3' });
    expect(parseBenchArgs(['--baseline=HEAD']).baseline).toBe('HEAD');
    expect(() => parseBenchArgs(['--baseline'])).toThrow('--baseline needs a value');
  });

  it("copies a commit's code beside this one, with this checkout's packages, and names a revision that is not there", () => {
    const snapshot = snapshotRevision('HEAD', path.join(work, 'baseline'));
    expect(snapshot.commit).toMatch(/^[0-9a-f]{40}$/);
    // The copy holds the commit's files (package.json as committed) and links node_modules.
    expect(JSON.parse(readFileSync(path.join(snapshot.root, 'package.json'), 'utf8')).name).toBe('portico');
    expect(existsSync(path.join(snapshot.root, 'src', 'cli', 'main.ts'))).toBe(true);
    expect(lstatSync(path.join(snapshot.root, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(snapshot.root, 'node_modules'))).toBe(path.join(projectRoot, 'node_modules'));
    expect(() => snapshotRevision('no-such-revision-anywhere', path.join(work, 'nothing'))).toThrow('--baseline no-such-revision-anywhere is not a commit of this repository');
  });
});
