import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { formatLintReport, LINT_FORMATS, toLintReport } from '../../src/lib/lint/formatters/index.ts';
import { formatHumanDiagnostic } from '../../src/lib/lint/formatters/human.ts';
import { lintContent } from '../../src/lib/lint/run.ts';
import { expectGoldenFile } from '../support/golden.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/lint');
const golden = path.resolve(import.meta.dirname, '../golden/lint');
const EXTENSION = { human: 'txt', json: 'json', sarif: 'json', checkstyle: 'xml', github: 'txt' } as const;

// The selector fixture has errors and warnings, hints and field paths: every part of every format shows.
async function report() {
  const result = await lintContent(path.join(fixtures, 'selector-fail'), { offline: true });
  return toLintReport(result, { pathPrefix: 'tests/fixtures/lint/selector-fail', toolVersion: '0.1.0' });
}

/** Compares with the golden file (tests/support/golden.ts: `UPDATE_GOLDEN=1` rewrites it; a missing one fails). */
const expectGolden = (name: string, text: string) => expectGoldenFile(path.join(golden, name), text);

describe('portico lint output formats', () => {
  it.each(LINT_FORMATS)('%s matches its golden file', async (format) => {
    expectGolden(`selector-fail.${format}.${EXTENSION[format]}`, formatLintReport(await report(), format));
  });

  it('sarif is valid against the SARIF 2.1.0 schema', async () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const log = JSON.parse(formatLintReport(await report(), 'sarif'));
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: 'selector',
      level: 'warning',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'tests/fixtures/lint/selector-fail/resources.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 18, startColumn: 3 } } }],
    });
  });

  it('github annotations escape what would end the command early', () => {
    const text = formatLintReport(
      { diagnostics: [{ severity: 'error', rule: 'openapi', message: '100% broken,\nreally', file: 'a,b:c.yaml', line: 3, column: 4 }], errors: 1, warnings: 0, files: 1, rules: [], toolVersion: '0' },
      'github',
    );
    expect(text).toBe('::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=portico openapi::100%25 broken,%0Areally\n');
  });

  it('human output is coloured only when asked', () => {
    const d = { severity: 'error' as const, rule: 'reference', message: 'missing', file: 'a.yaml', line: 1, column: 2 };
    expect(formatHumanDiagnostic(d)).toBe('a.yaml:1:2  error  reference  missing');
    expect(formatHumanDiagnostic(d, true)).toContain('\u001b[31merror\u001b[0m');
  });
});
