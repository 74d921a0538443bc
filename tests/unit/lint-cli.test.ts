import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/lint');

/** Runs `portico …` in-process and returns its exit code and what it printed. */
async function portico(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [w, e, log] = [process.stdout.write, process.stderr.write, console.error];
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join(''), err: err.join('') };
  } finally {
    [process.stdout.write, process.stderr.write, console.error] = [w, e, log];
  }
}

describe('portico lint on the command line', () => {
  it('exits 1 on errors and 0 on a clean repository', async () => {
    expect((await portico('lint', path.join(fixtures, 'reference-fail'), '--offline', '--no-cache')).code).toBe(1);
    const clean = await portico('lint', path.join(fixtures, 'clean'), '--offline', '--no-cache');
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.out).toContain('0 errors, 0 warnings');
  });

  it('fails on more warnings than --max-warnings, and passes when the rule is switched off', async () => {
    const dir = path.join(fixtures, 'servers-fail');
    expect((await portico('lint', dir, '--offline', '--no-cache', '--rule.orphan=false')).code).toBe(0);
    expect((await portico('lint', dir, '--offline', '--no-cache', '--rule.orphan=false', '--max-warnings', '0')).code).toBe(1);
    expect((await portico('lint', dir, '--offline', '--no-cache', '--rule.orphan=false', '--rule.servers=false', '--max-warnings', '0')).code).toBe(0);
  });

  it('writes GitHub annotations with paths from the working directory', async () => {
    const { out } = await portico('lint', path.join(fixtures, 'reference-fail'), '--offline', '--no-cache', '--format', 'github');
    expect(out).toContain('::error file=tests/fixtures/lint/reference-fail/resources.yaml,line=9,col=13,title=portico reference::');
  });

  it('refuses an unknown rule or format instead of ignoring it', async () => {
    expect(await portico('lint', '--no-cache', '--rule.orphans=false')).toMatchObject({ code: 1, err: expect.stringContaining('unknown rule "orphans"') });
    expect(await portico('lint', '--no-cache', '--format', 'xml')).toMatchObject({ code: 1, err: expect.stringContaining('unknown format "xml"') });
  });
});
