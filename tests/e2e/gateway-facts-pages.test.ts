import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type RunningPortal } from '../support/portal.ts';

// What the gateway enforces, on the rendered pages (issue 13, item 4). The content: the two small
// Traefik Hub repositories of tests/fixtures/gateway, and the tyk-operator versioning sample as
// published with a SecurityPolicy that offers it (Tyk shows what a policy grants).
const fixtures = path.resolve(import.meta.dirname, '../fixtures');
let portal: RunningPortal;
let content: string;

beforeAll(async () => {
  content = mkdtempSync(path.join(tmpdir(), 'portico-gateway-facts-'));
  cpSync(path.join(fixtures, 'gateway/hub-apiauth'), path.join(content, 'hub-apiauth'), { recursive: true });
  cpSync(path.join(fixtures, 'gateway/hub-kinds'), path.join(content, 'hub-kinds'), { recursive: true });
  cpSync(path.join(fixtures, 'real/tyk-operator/config/samples/oas/versioning'), path.join(content, 'tyk-versioning'), { recursive: true });
  writeFileSync(
    path.join(content, 'tyk-versioning/policy.yaml'),
    [
      'apiVersion: tyk.tyk.io/v1alpha1',
      'kind: SecurityPolicy',
      'metadata:',
      '  name: pets',
      '  namespace: randomz',
      'spec:',
      '  name: Pets',
      '  state: active',
      '  active: true',
      '  access_rights_array:',
      '    - name: pets',
      '      namespace: randomz',
      '      kind: TykOasApiDefinition',
      '',
    ].join('\n'),
  );
  portal = await startPortal({ PORTICO_CONTENT_DIR: content, PORTICO_OFFLINE: '1' });
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  if (content) rmSync(content, { recursive: true, force: true });
});

/** A page's text without tags, entities decoded as far as these checks need. */
async function pageText(pathname: string): Promise<string> {
  const res = await fetch(`${portal.base}${pathname}`);
  expect(res.status, pathname).toBe(200);
  return (await res.text())
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('pages of APIs whose spec does not say what the gateway does', () => {
  it("an APIAuth API key and a route's host: the API page says where both come from", async () => {
    const text = await pageText('/apis/parcels/');
    expect(text).toContain('From the gateway configuration, APIAuth shop/shop-keys (hub-apiauth/resources.yaml:2)');
    expect(text).toContain('API key: send your key in the header X-API-Key.');
    expect(text).not.toContain('No authentication is declared.');
    expect(text).toContain('https://api.shop.example');
    expect(text).toContain('these come from IngressRoute shop/parcels (hub-apiauth/resources.yaml:');
  });

  it('the operation page and the spec Try it loads ask for the enforced key', async () => {
    const text = await pageText('/apis/parcels/parcels/operations/getParcel/');
    expect(text).toContain('From the gateway configuration, APIAuth shop/shop-keys');
    expect(text).toContain('X-API-Key');
    const spec = (await (await fetch(`${portal.base}/apis/parcels/parcels/openapi.json`)).json()) as { security: unknown; servers: unknown; components: { securitySchemes: unknown } };
    expect(spec.security).toEqual([{ apiKey: [] }]);
    expect(spec.components.securitySchemes).toMatchObject({ apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
    expect(spec.servers).toEqual([{ url: 'https://api.shop.example', description: 'From the gateway route' }]);
  });

  it('a keyless APIAuth: "No key needed", though the spec asked for a bearer token', async () => {
    const text = await pageText('/apis/status/');
    expect(text).toContain('No key needed: the gateway lets every call through, as its configuration says: APIAuth status/open');
    expect(text).not.toContain('Bearer token');
  });

  it('a Tyk OAS API with versions: one API, and the switcher says to choose with the header x-api-version', async () => {
    const text = await pageText('/apis/pets/');
    expect(text).toContain('Choose a version with the header x-api-version; without one, you get dogz-breeds (TykOasApiDefinition randomz/pets).');
    for (const v of ['x-api-version: v1', 'x-api-version: bin', 'x-api-version: dogz-breeds']) expect(text).toContain(v);
    expect((await fetch(`${portal.base}/apis/bin/`)).status).toBe(404);
  });

  it('an AI gateway API and an MCP server are shown for what they are, in the catalog and on their pages', async () => {
    const home = await pageText('/');
    expect(home).toMatch(/Chat.*AI gateway API/);
    expect(home).toMatch(/Tools.*MCP server/);
    expect(await pageText('/apis/chat/')).toContain('An AI gateway API: Traefik Hub forwards its calls to Anthropic, model claude-3-5-haiku (AIService ai/anthropic)');
  });
});
