import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/portal.ts';

// Issue 18: the search indexer ran beside the Astro build, so their memory added up (3.75 GB for
// Microsoft Graph beta). `portico build` now runs the Astro build in a process of its own and writes
// the search index once that process has ended: the two are never alive at the same time.
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** The command lines of a process and all its descendants, read from /proc. */
function processTree(rootPid: number): string[] {
  const parent = new Map<number, number>();
  const command = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0));
      command.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // the process ended between the listing and the read
    }
  }
  const out: string[] = [];
  const todo = command.has(rootPid) ? [rootPid] : [];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(command.get(pid) ?? '');
    for (const [child, p] of parent) if (p === pid) todo.push(child);
  }
  return out;
}

/** `portico build` of the demo content into a fresh folder, with a fresh data directory (both removed afterwards). */
function startBuild(output: 'pipe' | 'ignore', earlierBuildInfo?: string) {
  // The site goes into a folder of its own, as `--out DIR/site`: the link to node_modules that the
  // build makes beside the site is then in DIR, not in the machine's temporary folder.
  const parent = mkdtempSync(path.join(tmpdir(), 'portico-steps-site-'));
  const out = path.join(parent, 'site');
  mkdirSync(out);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portico-steps-data-'));
  temps.push(parent, dataDir);
  if (earlierBuildInfo) writeFileSync(path.join(out, 'portico-build.json'), earlierBuildInfo);
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin/portico.mjs'), 'build', '--out', out], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', PORTICO_DATA_DIR: dataDir, PORTICO_OFFLINE: '1' },
    stdio: ['ignore', output, output],
  });
  return { out, child };
}

describe('the docs build, one step after the other', () => {
  it('writes the search index after the Astro build process has ended, never beside it', async () => {
    const { out, child } = startBuild('pipe');
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const seen = { build: 0, indexer: 0, together: 0 };
    const timer = setInterval(() => {
      const tree = processTree(child.pid!);
      const build = tree.some((c) => c.includes('astro-build-child'));
      const indexer = tree.some((c) => /pagefind(_extended)? --service/.test(c));
      seen.build += Number(build);
      seen.indexer += Number(indexer);
      seen.together += Number(build && indexer);
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(timer);
    expect(code, output).toBe(0);
    expect(seen.build).toBeGreaterThan(0);
    expect(seen.indexer).toBeGreaterThan(0);
    expect(seen.together).toBe(0);
    // The index is there, and the summary says how many pages it holds.
    expect(existsSync(path.join(out, 'client', 'pagefind', 'pagefind-entry.json'))).toBe(true);
    expect(output).toMatch(/^portico: site built in \d+\.\d s: \d+ pages indexed for search$/m);
    // Written last, once the site is whole: what portico start compares to reuse it (decision record 21).
    expect(JSON.parse(readFileSync(path.join(out, 'portico-build.json'), 'utf8'))).toMatchObject({
      contentFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      inputs: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  }, 180_000);

  it('leaves no Astro build running when the build command is stopped midway (a follower stops it with SIGTERM)', async () => {
    // The build info of a site built before into the same folder: a stopped build must not leave it behind.
    const { out, child } = startBuild('pipe', JSON.stringify({ contentFingerprint: 'f'.repeat(64), inputs: 'i'.repeat(64), builtAt: '2026-12-06T00:00:00.000Z' }));
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    let ended = false;
    const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => (ended = true));
    const astroBuild = () => {
      for (const name of readdirSync('/proc')) {
        try {
          const command = readFileSync(`/proc/${name}/cmdline`, 'utf8');
          if (command.includes('astro-build-child') && command.includes(out)) return Number(name);
        } catch {
          // ended meanwhile
        }
      }
      return undefined;
    };
    // Until the Astro build runs, however long a busy machine takes to get there; a build command
    // that ends first says why in its output.
    let pid: number | undefined;
    while (!pid && !ended) {
      pid = astroBuild();
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid, `the build command ended before its Astro build ran:\n${output}`).toBeDefined();
    child.kill('SIGTERM');
    await exited;
    // The build command ends once it has stopped its build; a process that outlives it by a minute is left running.
    for (const deadline = Date.now() + 60_000; astroBuild() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    expect(astroBuild()).toBeUndefined();
    // Half a site never says it is whole, so portico start builds it again rather than serve it.
    expect(existsSync(path.join(out, 'portico-build.json'))).toBe(false);
  }, 120_000);
});
