import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/lib/catalog/model.ts';
import { codeSamples, sampleRequest } from '../../src/lib/docs/code-samples.ts';

const op = (security: Operation['security']): Operation => ({
  method: 'get', path: '/parcels/{parcelId}', operationId: 'getParcel', derivedOperationId: false, tags: [], deprecated: false,
  parameters: [{ name: 'parcelId', in: 'path', required: true }, { name: 'lang', in: 'query', required: true }],
  responses: {}, security, operationSets: [], source: { file: 'x', line: 1, column: 1 },
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
    expect(py!.code).toContain(`f"https://eu.api.example.com/v1/parcels/{parcelId}?lang=LANG&api_key={os.environ['API_KEY']}"`);
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
