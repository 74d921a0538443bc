import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/lib/catalog/model.ts';
import { codeSamples, sampleLiterals, sampleRequest } from '../../src/lib/docs/code-samples.ts';
import { highlightCode } from '../../src/lib/docs/highlight.ts';

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const op = {
  method: 'post',
  path: '/parcels/{parcelId}',
  operationId: 'x',
  derivedOperationId: false,
  tags: [],
  deprecated: false,
  parameters: [],
  responses: {},
  security: [{ key: [] }],
  operationSets: [],
  source: { file: 'x', line: 1, column: 1 },
} as Operation;
const schemes = { key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } };

describe('build-time highlighting of the samples', () => {
  it('keeps every character of every sample, with class-based tokens and no inline colours', async () => {
    // Sixty fields: more literals than letters, so the masks need two-letter names.
    const value = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field${i}`, { name: `<value> & ${i}`, n: i, list: [`a${i}`] }]));
    const req = sampleRequest(op, [{ url: 'https://api.example.com' }], schemes, { mediaType: 'application/json', value });
    for (const sample of codeSamples(req)) {
      const masked = await highlightCode(sample.code, sample.grammar, sampleLiterals(req));
      const plain = await highlightCode(sample.code, sample.grammar);
      expect(textOf(masked), sample.lang).toBe(sample.code);
      expect(textOf(plain), sample.lang).toBe(sample.code);
      expect(masked, sample.lang).toMatch(/<span class="[kfsnctp]">/);
      expect(masked, sample.lang).not.toContain('style=');
      expect(masked, sample.lang).not.toMatch(/Qzx|xzQ/);
    }
  });

  it('colours strings as strings in every grammar', async () => {
    const req = sampleRequest(op, [{ url: 'https://api.example.com' }], schemes, { mediaType: 'application/json', value: { a: 1 } });
    for (const sample of codeSamples(req)) {
      expect(await highlightCode(sample.code, sample.grammar, sampleLiterals(req)), sample.lang).toMatch(/<span class="s">[^<]*api\.example\.com/);
    }
  });

  it('leaves an unknown grammar as escaped text', async () => {
    expect(await highlightCode('<a & b>', 'cobol')).toBe('&lt;a &amp; b&gt;');
  });
});
