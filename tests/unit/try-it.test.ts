import { describe, expect, it } from 'vitest';
import { offerCovers } from '../../src/client/try-it/access.ts';
import { explainAnswer, retryAfterSeconds } from '../../src/client/try-it/answer.ts';
import { buildRequest, curlCommand, relayHeaders, relayUrl } from '../../src/client/try-it/request.ts';
import type { Operation } from '../../src/lib/catalog/model.ts';
import { buildTryItSpec, parameterText, tryItAuth, type TryItSpec } from '../../src/lib/docs/try-it.ts';

const operation: Operation = {
  method: 'post',
  path: '/shipments/{shipmentId}/labels',
  operationId: 'createLabel',
  derivedOperationId: false,
  tags: [],
  parameters: [],
  responses: {},
  security: [{ oauth2: [] }, { apiKey: [] }],
  deprecated: false,
  operationSets: ['writes'],
  source: { file: 'shipments/openapi.yaml', line: 1, column: 1 },
};

const spec = (over: Partial<TryItSpec> = {}): TryItSpec => ({
  api: 'logistics/shipments',
  apiTitle: 'Shipments',
  method: 'POST',
  path: '/shipments/{shipmentId}/labels',
  servers: ['https://api.kestrel.example/v2'],
  parameters: [
    { name: 'shipmentId', in: 'path', required: true, value: 'SHP-1' },
    { name: 'format', in: 'query', required: false, value: 'pdf' },
    { name: 'kestrel_locale', in: 'cookie', required: false, value: '' },
  ],
  body: { mediaType: 'application/json', value: '{"copies":1}', required: true },
  auth: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
  anonymous: false,
  operationSets: ['writes'],
  ...over,
});

describe('the Try it data of an operation page', () => {
  it('offers the servers the relay accepts, examples as text, and the key scheme a portal key meets', () => {
    const built = buildTryItSpec({
      api: { key: 'logistics/shipments', title: 'Shipments' },
      operation,
      servers: [{ url: 'https://{region}.kestrel.example/v2/', variables: { region: { default: 'eu', enum: ['us'] } } }, { url: '/relative' }],
      schemes: { oauth2: { type: 'oauth2', flows: {} }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      parameters: [
        { name: 'shipmentId', in: 'path', required: true, example: '"SHP-1"' },
        { name: 'expand', in: 'query', required: false, example: '["items","events"]' },
      ],
      body: { mediaType: 'application/json', value: { copies: 1 }, required: true },
    });
    expect(built).toEqual({
      api: 'logistics/shipments',
      apiTitle: 'Shipments',
      method: 'POST',
      path: '/shipments/{shipmentId}/labels',
      servers: ['https://eu.kestrel.example/v2', 'https://us.kestrel.example/v2'],
      parameters: [
        { name: 'shipmentId', in: 'path', required: true, value: 'SHP-1' },
        { name: 'expand', in: 'query', required: false, value: 'items,events' },
      ],
      body: { mediaType: 'application/json', value: '{"copies":1}', required: true },
      auth: { kind: 'apiKey', in: 'header', name: 'X-API-Key' },
      anonymous: false,
      operationSets: ['writes'],
    });
  });

  it('fills a form body with nested fields in brackets, as the code samples send them, not JSON inside a field', () => {
    const built = buildTryItSpec({
      api: { key: 'payments/stripe', title: 'Stripe' },
      operation,
      servers: [{ url: 'https://api.stripe.example' }],
      schemes: {},
      parameters: [],
      body: { mediaType: 'application/x-www-form-urlencoded', value: { amount: 2000, automatic_payment_methods: { enabled: true }, expand: ['customer'] }, required: true },
    });
    expect(built?.body?.value).toBe('amount=2000&automatic_payment_methods%5Benabled%5D=true&expand%5B0%5D=customer');
    expect(new URLSearchParams(built!.body!.value).get('automatic_payment_methods[enabled]')).toBe('true');
  });

  it('offers an enum parameter as a choice of its values, and keeps a free-text field for the rest', () => {
    const built = buildTryItSpec({
      api: { key: 'logistics/shipments', title: 'Shipments' },
      operation,
      servers: [{ url: 'https://api.kestrel.example/v2' }],
      schemes: {},
      parameters: [
        { name: 'sort', in: 'query', required: false, default: '"-createdAt"', enum: ['"createdAt"', '"-createdAt"', '"estimatedDelivery"'] },
        { name: 'limit', in: 'query', required: false, enum: ['10', '50'] },
        { name: 'filter', in: 'query', required: false, enum: ['{"a":1}'] },
        { name: 'q', in: 'query', required: false },
      ],
    });
    expect(built!.parameters).toEqual([
      { name: 'sort', in: 'query', required: false, value: '-createdAt', options: ['createdAt', '-createdAt', 'estimatedDelivery'] },
      { name: 'limit', in: 'query', required: false, value: '10', options: ['10', '50'] },
      // An object is no option a person can pick from a list: free text, pre-filled.
      { name: 'filter', in: 'query', required: false, value: '{"a":1}' },
      { name: 'q', in: 'query', required: false, value: '' },
    ]);
  });

  it('knows which offers cover an operation: those of its API, without a filter or with one of its operation sets', () => {
    const offer = (operationFilter: string[], api = 'logistics/shipments') => ({ apis: [{ key: api, title: 'x' }], operationFilter });
    const op = { api: 'logistics/shipments', operationSets: ['writes'] };
    expect(offerCovers(offer([]), op)).toBe(true);
    expect(offerCovers(offer(['read-only', 'writes']), op)).toBe(true);
    expect(offerCovers(offer(['read-only']), op)).toBe(false);
    expect(offerCovers(offer([], 'logistics/tracking'), op)).toBe(false);
  });

  it('has no Try it for an API without a server a browser could reach', () => {
    expect(buildTryItSpec({ api: { key: 'a/b', title: 'B' }, operation, servers: [{ url: '/only-relative' }], schemes: {}, parameters: [] })).toBeUndefined();
  });

  it('asks for a token or a user and password when the scheme is not an API key', () => {
    expect(tryItAuth([{ bearer: [] }], { bearer: { type: 'http', scheme: 'Bearer' } })).toEqual({ kind: 'bearer' });
    expect(tryItAuth([{ basic: [] }], { basic: { type: 'http', scheme: 'basic' } })).toEqual({ kind: 'basic' });
    expect(tryItAuth([{ mtls: [] }], { mtls: { type: 'mutualTLS' } })).toBeUndefined();
    expect(parameterText(undefined)).toBe('');
    expect(parameterText('{"a":1}')).toBe('{"a":1}');
  });
});

describe('the request a Try it form describes', () => {
  const values = {
    server: 'https://api.kestrel.example/v2/',
    parameters: { 'path:shipmentId': 'SHP 1/2', 'query:format': 'pdf', 'cookie:kestrel_locale': 'en' },
    body: '{"copies": 2}',
    credential: 'the-key',
  };

  it('fills the path, the query, the key header and the cookies', () => {
    const request = buildRequest(spec(), values);
    expect(request).toEqual({
      method: 'POST',
      url: 'https://api.kestrel.example/v2/shipments/SHP%201%2F2/labels?format=pdf',
      headers: [
        ['X-API-Key', 'the-key'],
        ['Content-Type', 'application/json'],
        ['Cookie', 'kestrel_locale=en'],
      ],
      body: '{"copies": 2}',
    });
    if ('problem' in request) throw new Error(request.problem);
    // A page may not set Cookie: it travels to the relay in the relay's cookie header.
    expect([...relayHeaders(request)]).toEqual([
      ['content-type', 'application/json'],
      ['x-api-key', 'the-key'],
      ['x-scalar-cookie', 'kestrel_locale=en'],
    ]);
    expect(relayUrl(request.url)).toBe('/relay?url=https%3A%2F%2Fapi.kestrel.example%2Fv2%2Fshipments%2FSHP%25201%252F2%2Flabels%3Fformat%3Dpdf');
  });

  it('says what is missing or wrong, in words', () => {
    expect(buildRequest(spec(), { ...values, parameters: { 'path:shipmentId': ' ' } })).toEqual({ problem: 'Fill in shipmentId (path parameter).' });
    expect(buildRequest(spec(), { ...values, body: '{copies: 2}' })).toMatchObject({ problem: expect.stringMatching(/^The body is not valid JSON: /) });
    expect(buildRequest(spec(), { ...values, body: '' })).toEqual({ problem: 'This operation needs a request body.' });
    // Leniently, for the curl command shown while the form is filled in.
    expect(buildRequest(spec(), { ...values, parameters: {} }, { lenient: true })).toMatchObject({ url: 'https://api.kestrel.example/v2/shipments/{shipmentId}/labels' });
  });

  it('puts a key in the query when the scheme says so', () => {
    const request = buildRequest(spec({ auth: { kind: 'apiKey', in: 'query', name: 'api_key' }, body: undefined }), { ...values, credential: 'k1' });
    expect(request).toMatchObject({ url: 'https://api.kestrel.example/v2/shipments/SHP%201%2F2/labels?format=pdf&api_key=k1' });
  });

  it('writes curl that reads the credential from the environment, never the key itself', () => {
    const request = buildRequest(spec(), values);
    if ('problem' in request) throw new Error(request.problem);
    const curl = curlCommand(request, spec().auth, 'the-key');
    expect(curl).toBe(
      [
        "curl -X POST 'https://api.kestrel.example/v2/shipments/SHP%201%2F2/labels?format=pdf'",
        '  -H "X-API-Key: $API_KEY"',
        "  -H 'Content-Type: application/json'",
        "  -H 'Cookie: kestrel_locale=en'",
        `  --data '{"copies": 2}'`,
      ].join(' \\\n'),
    );
    const inQuery = buildRequest(spec({ auth: { kind: 'apiKey', in: 'query', name: 'api_key' }, body: undefined }), { ...values, credential: 'k$1' });
    if ('problem' in inQuery) throw new Error(inQuery.problem);
    expect(curlCommand(inQuery, { kind: 'apiKey', in: 'query', name: 'api_key' }, 'k$1').split(' \\\n')[0]).toBe(
      'curl -X POST "https://api.kestrel.example/v2/shipments/SHP%201%2F2/labels?format=pdf&api_key=$API_KEY"',
    );
    const basic = buildRequest(spec({ auth: { kind: 'basic' }, body: undefined, parameters: [] }), { ...values, credential: 'ann:pw' });
    if ('problem' in basic) throw new Error(basic.problem);
    expect(curlCommand(basic, { kind: 'basic' }, 'ann:pw')).toBe(`curl -X POST 'https://api.kestrel.example/v2/shipments/{shipmentId}/labels' \\\n  -u "$API_USER:$API_PASSWORD"`);
  });
});

describe('what an answer means', () => {
  const relayed = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers: new Headers({ 'x-portico-relay': 'https://api.kestrel.example/v2/x', ...headers }), body });

  it('tells a relay refusal from an answer of the API, in words', () => {
    const refused = explainAnswer(
      {
        status: 403,
        headers: new Headers({ 'content-type': 'application/problem+json' }),
        body: JSON.stringify({ code: 'relay-host-not-declared', detail: 'evil.example is not a server any API of this portal declares.' }),
      },
      { sentCredential: true },
    );
    expect(refused).toEqual({ kind: 'refused', title: 'The portal did not send the request: this host is not allowed.', detail: 'evil.example is not a server any API of this portal declares.' });
    const timeout = explainAnswer(
      { status: 504, headers: new Headers({ 'content-type': 'application/problem+json' }), body: '{"code":"relay-timeout","detail":"x did not answer within 15 seconds."}' },
      { sentCredential: true },
    );
    expect(timeout?.title).toBe('The portal did not send the request: the API did not answer in time.');
    const busy = explainAnswer(
      {
        status: 429,
        headers: new Headers({ 'content-type': 'application/problem+json', 'retry-after': '12' }),
        body: '{"code":"relay-rate-limit","detail":"You have tried 60 requests in a minute."}',
      },
      { sentCredential: true },
    );
    expect(busy?.title).toBe('The portal did not send the request: you have sent too many requests through the portal; retry after 12 s.');
    expect(explainAnswer(relayed(403, { 'content-type': 'application/problem+json' }, '{"code":"relay-host-not-declared"}'), { sentCredential: true })?.kind).toBe('gateway');
  });

  it("explains the gateway's 401, 403 and 429", () => {
    expect(explainAnswer(relayed(401), { sentCredential: false })?.title).toBe('The gateway asks for a key (401): choose an application whose key this browser holds, or paste a key.');
    expect(explainAnswer(relayed(401, { 'content-type': 'application/problem+json' }, '{"detail":"Unknown key."}'), { sentCredential: true })).toMatchObject({
      title: expect.stringMatching(/^The gateway does not accept this key \(401\): it is unknown to it\./),
      detail: 'The gateway says: Unknown key.',
    });
    expect(explainAnswer(relayed(403), { sentCredential: true })?.title).toBe("The gateway refused (403): it knows the key, but the application's subscription does not cover this operation.");
    expect(explainAnswer(relayed(429, { 'retry-after': '7' }), { sentCredential: true, plan: { title: 'Starter', limits: '10 requests per second' } })?.title).toBe(
      "Over the plan's limit (429): retry after 7 s. The plan Starter allows 10 requests per second.",
    );
    expect(explainAnswer(relayed(200), { sentCredential: true })).toBeUndefined();
    expect(explainAnswer(relayed(404), { sentCredential: true })).toBeUndefined();
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('30')).toBe(30);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:01:00 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(60);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
