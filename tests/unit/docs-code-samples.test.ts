import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/lib/catalog/model.ts';
import path from 'node:path';
import { codeSamples, SAMPLE_FIELD_LIMIT, SAMPLE_WHOLE_BODY_FIELDS, sampleBodyOf, sampleRequest, type SampleBody } from '../../src/lib/docs/code-samples.ts';
import { expectGoldenFile } from '../support/golden.ts';

const op = (security: Operation['security']): Operation => ({
  method: 'get',
  path: '/parcels/{parcelId}',
  operationId: 'getParcel',
  derivedOperationId: false,
  tags: [],
  deprecated: false,
  parameters: [
    { name: 'parcelId', in: 'path', required: true },
    { name: 'lang', in: 'query', required: true },
  ],
  responses: {},
  security,
  operationSets: [],
  source: { file: 'x', line: 1, column: 1 },
});
const servers = [{ url: 'https://{region}.api.example.com/v1/', variables: { region: { default: 'eu' } } }];
const schemes = {
  key: { type: 'apiKey', in: 'query', name: 'api_key' },
  bearer: { type: 'http', scheme: 'bearer' },
  basic: { type: 'http', scheme: 'basic' },
};

describe('code samples', () => {
  it('put an API key where the scheme says, from the environment', () => {
    const [curl, js, py] = codeSamples(sampleRequest(op([{ key: [] }]), servers, schemes));
    expect(curl!.code).toBe('curl -X GET "https://eu.api.example.com/v1/parcels/{parcelId}?lang=LANG&api_key=$API_KEY"');
    expect(js!.code).toContain('`https://eu.api.example.com/v1/parcels/{parcelId}?lang=LANG&api_key=${process.env.API_KEY}`');
    // The path's placeholder is literal text in the f-string: `{{parcelId}}`, else Python reads a variable.
    expect(py!.code).toContain(`f"https://eu.api.example.com/v1/parcels/{{parcelId}}?lang=LANG&api_key={os.environ['API_KEY']}"`);
  });

  it('send bearer tokens and basic credentials as headers', () => {
    expect(codeSamples(sampleRequest(op([{ bearer: [] }]), servers, schemes))[0]!.code).toContain('-H "Authorization: Bearer $TOKEN"');
    const basic = codeSamples(sampleRequest(op([{ basic: [] }]), servers, schemes));
    expect(basic[0]!.code).toContain('-u "$API_USER:$API_PASSWORD"');
    expect(basic[2]!.code).toContain("auth=(os.environ['API_USER'], os.environ['API_PASSWORD'])");
  });

  it('send no credentials when anonymous access is allowed', () => {
    expect(codeSamples(sampleRequest(op([]), servers, schemes))[0]!.code).not.toContain('API_KEY');
  });

  it('send a JSON body as JSON in every language', () => {
    const req = sampleRequest({ ...op([]), method: 'post' }, servers, schemes, { mediaType: 'application/json', value: { fragile: true, note: null } });
    const [curl, js, py] = codeSamples(req);
    expect(curl!.code).toContain(`--data '{\n  "fragile": true,\n  "note": null\n}'`);
    expect(js!.code).toContain('body: JSON.stringify({');
    expect(py!.code).toContain('"fragile": True');
    expect(py!.code).toContain('"note": None');
  });
});

// Every language for each kind of request, byte for byte (tests/golden/code-samples/<case>.txt).
const golden = (name: string) => path.join(import.meta.dirname, '../golden/code-samples', `${name}.txt`);
const render = (req: ReturnType<typeof sampleRequest>) =>
  codeSamples(req)
    .map((s) => `=== ${s.label} (${s.lang}, ${s.grammar})\n${s.code}\n`)
    .join('\n');
const post = (security: Operation['security'], path = '/v1/files'): Operation => ({ ...op(security), method: 'post', path, parameters: [] });
const doc = {};

describe('code samples in eight languages (golden)', () => {
  it('GET with path and query parameters, an API key in the query', () => {
    const samples = codeSamples(sampleRequest(op([{ key: [] }]), servers, schemes));
    expect(samples.map((s) => s.lang)).toEqual(['curl', 'javascript', 'python', 'go', 'java', 'csharp', 'php', 'ruby']);
    expectGoldenFile(golden('get-query-key'), render(sampleRequest(op([{ key: [] }]), servers, schemes)));
  });

  it('a JSON body with a bearer token', () => {
    const body: SampleBody = { mediaType: 'application/json', value: { name: "O'Neil", tags: ['fragile'], insured: true, note: null } };
    expectGoldenFile(golden('json-bearer'), render(sampleRequest(post([{ bearer: [] }]), servers, schemes, body)));
  });

  it('a form-encoded body (as Stripe, Twilio and Slack) is sent form-encoded, never as JSON text', () => {
    const body: SampleBody = { mediaType: 'application/x-www-form-urlencoded', value: { amount: 2000, currency: 'usd', metadata: { order_id: '6735' }, expand: ['customer'] } };
    const req = sampleRequest(post([{ basic: [] }], '/v1/charges'), servers, schemes, body);
    for (const s of codeSamples(req)) {
      expect(s.code, s.label).not.toContain('"amount": 2000');
      expect(s.code, s.label).not.toContain('JSON');
      expect(s.code, s.label).toMatch(/metadata(\[|%5B)order_id/);
    }
    expectGoldenFile(golden('form-basic'), render(req));
  });

  it('a multipart body sends its parts, the file as a file, and lets the library write the boundary', () => {
    const media = { schema: { type: 'object', properties: { purpose: { type: 'string' }, file: { type: 'string', format: 'binary' } } } };
    const body = sampleBodyOf(doc, 'multipart/form-data', media, { purpose: 'dispute_evidence', file: 'string' });
    expect(body.fileParts).toEqual(['file']);
    const headerKey = { key: { type: 'apiKey', in: 'header', name: 'X-API-Key' } };
    const req = sampleRequest(post([{ key: [] }]), servers, headerKey, body);
    for (const s of codeSamples(req)) {
      expect(s.code, s.label).not.toContain("--data '{}'");
      expect(s.code, s.label).not.toMatch(/Content-Type["']?[:,] ?["']?multipart\/form-data["']/);
      expect(s.code, s.label).toContain('file.bin');
      expect(s.code, s.label).toContain('dispute_evidence');
    }
    expectGoldenFile(golden('multipart-header-key'), render(req));
  });

  it('an OpenAPI 3.1 file part (contentMediaType) and a raw binary body are files too', () => {
    const media = { schema: { type: 'object', properties: { photo: { type: 'string', contentMediaType: 'image/png' }, caption: { type: 'string' } } } };
    expect(sampleBodyOf(doc, 'multipart/form-data', media, {}).fileParts).toEqual(['photo']);
    const raw = sampleBodyOf(doc, 'application/octet-stream', { schema: { type: 'string', format: 'binary' } }, 'string');
    expect(raw.binary).toBe(true);
    const [curl] = codeSamples(sampleRequest(post([]), servers, schemes, raw));
    expect(curl!.code).toContain('--data-binary @body.bin');
  });
});

describe('a body with many optional fields (Stripe PostPaymentIntents has about 150)', () => {
  const optional = Array.from({ length: 150 }, (_, i) => `opt_${String(i).padStart(3, '0')}`);
  const schema = {
    type: 'object',
    required: ['amount', 'currency'],
    properties: { amount: { type: 'integer' }, currency: { type: 'string' }, ...Object.fromEntries(optional.map((name) => [name, { type: 'string' }])) },
  };
  const value = { amount: 2000, currency: 'usd', ...Object.fromEntries(optional.map((name) => [name, `${name}_value`])) };
  const comment = { curl: '#', javascript: '//', python: '#', go: '//', java: '//', csharp: '//', php: '//', ruby: '#' } as Record<string, string>;
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

  /** Brackets outside string literals balance: a cut that dropped a closing line would not. */
  const balanced = (code: string) => {
    const stack: string[] = [];
    for (const line of code.split('\n')) {
      const bare = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '').replace(/^\s*(#|\/\/).*$/, '');
      for (const c of bare) {
        if ('([{'.includes(c)) stack.push(c);
        else if (')]}'.includes(c) && stack.pop() !== pairs[c]) return false;
      }
    }
    return stack.length === 0;
  };

  for (const mediaType of ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data']) {
    it(`sends every required field, optional ones up to ${SAMPLE_FIELD_LIMIT} in all, and says in one comment that the rest are left out (${mediaType})`, () => {
      const body = sampleBodyOf(doc, mediaType, { schema }, value);
      expect(body.omittedFields).toBe(150 - (SAMPLE_FIELD_LIMIT - 2));
      const samples = codeSamples(sampleRequest(post([{ bearer: [] }], '/v1/payment_intents'), servers, schemes, body));
      expect(samples).toHaveLength(8);
      for (const s of samples) {
        expect(s.code, s.label).toContain('amount');
        expect(s.code, s.label).toContain('currency');
        const sent = new Set(s.code.match(/opt_\d{3}/g));
        expect(sent.size, s.label).toBe(SAMPLE_FIELD_LIMIT - 2);
        expect([...sent], s.label).toEqual(optional.slice(0, SAMPLE_FIELD_LIMIT - 2));
        const notes = s.code.split('\n').filter((l) => l.includes('left out'));
        expect(notes, s.label).toEqual([`${comment[s.lang]} 140 optional fields are left out; the request body section lists them all.`]);
        expect(balanced(s.code), s.label).toBe(true);
      }
      const php = samples.find((s) => s.lang === 'php')!.code;
      expect(php.startsWith('<?php\n//'), 'PHP opens with <?php before any comment').toBe(true);
      const go = samples.find((s) => s.lang === 'go')!.code;
      expect(go.split('\n')[1]).toBe('package main');
    });
  }

  it('keeps every required field even past the cap, and leaves a small body as it was', () => {
    const allRequired = { ...schema, required: ['amount', 'currency', ...optional.slice(0, 20)] };
    const body = sampleBodyOf(doc, 'application/json', { schema: allRequired }, value);
    expect(Object.keys(body.value as object)).toEqual(['amount', 'currency', ...optional.slice(0, 20)]);
    expect(body.omittedFields).toBe(130);
    const small = { amount: 2000, currency: 'usd', metadata: { order_id: '6735' } };
    expect(sampleBodyOf(doc, 'application/x-www-form-urlencoded', { schema }, small)).toEqual({ mediaType: 'application/x-www-form-urlencoded', value: small, binary: false });
    // An ordinary body, past SAMPLE_FIELD_LIMIT but not past SAMPLE_WHOLE_BODY_FIELDS, is sent whole.
    const ordinary = Object.fromEntries(['amount', 'currency', ...optional.slice(0, SAMPLE_WHOLE_BODY_FIELDS - 2)].map((k) => [k, (value as Record<string, unknown>)[k]]));
    expect(sampleBodyOf(doc, 'application/json', { schema }, ordinary)).toEqual({ mediaType: 'application/json', value: ordinary, binary: false });
  });
});
