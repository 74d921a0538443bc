import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../support/portal.ts';

it('fails a page test on a console error or an uncaught exception it did not take as expected', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'portico-browser-errors-'));
  try {
    const report = path.join(out, 'report.json');
    spawnSync(
      process.execPath,
      [path.join(projectRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'tests/fixtures/browser-errors/vitest.config.ts', '--reporter=json', `--outputFile=${report}`],
      { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 },
    );
    const result = JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
    const tests = Object.fromEntries(result.testResults[0]!.assertionResults.map((a) => [a.title, a]));
    expect(tests['logs a console error and says nothing of it']!.status).toBe('failed');
    expect(tests['logs a console error and says nothing of it']!.failureMessages.join('\n')).toMatch(
      /the browser reported an error this test did not expect:\s+console error on about:blank: an error nobody expected/,
    );
    expect(tests['logs a console error it expects, and takes it']!.status).toBe('passed');
    expect(tests['throws in the page']!.status).toBe('failed');
    expect(tests['throws in the page']!.failureMessages.join('\n')).toContain('uncaught exception on about:blank: thrown in the page');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 130_000);
