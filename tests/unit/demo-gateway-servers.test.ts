import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moveToDemoGateway } from '../../src/lib/catalog/demo-servers.ts';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Catalog } from '../../src/lib/catalog/model.ts';
import { loadConfig } from '../../src/lib/config.ts';
import { PorticoError } from '../../src/lib/errors.ts';
import { buildOperationView } from '../../src/lib/docs/operation-view.ts';
import { apiPagesKey } from '../../src/lib/docs/page-cache.ts';
import { buildDocsSite, findVersion, type DocsSite } from '../../src/lib/docs/site.ts';
import { publishedDocument } from '../../src/lib/docs/spec-download.ts';
import { declaredServers } from '../../src/lib/relay/relay.ts';

const content = path.resolve(import.meta.dirname, '../../content');
const GATEWAY = 'http://localhost:9090';

describe('moving servers to where the demo gateway answers', () => {
  it('moves the demo content address, with its path, and nothing else', () => {
    expect(moveToDemoGateway('http://localhost:8080/shipments/v2', GATEWAY)).toBe('http://localhost:9090/shipments/v2');
    expect(moveToDemoGateway('http://127.0.0.1:8080/tracking', GATEWAY)).toBe('http://localhost:9090/tracking');
    expect(moveToDemoGateway('http://localhost:8080', GATEWAY)).toBe('http://localhost:9090');
    expect(moveToDemoGateway('HTTP://LOCALHOST:8080/x', GATEWAY)).toBe('http://localhost:9090/x');
    for (const other of [
      'https://api.kestrel.example/shipments',
      'https://localhost:8080/x',
      'http://localhost:80801/x',
      'http://localhost:8081/x',
      'http://localhost/x',
      '/relative',
      'http://{host}:8080/x',
    ]) {
      expect(moveToDemoGateway(other, GATEWAY)).toBe(other);
    }
  });

  it('changes nothing when the gateway is at the usual address', () => {
    expect(moveToDemoGateway('http://127.0.0.1:8080/tracking', 'http://localhost:8080')).toBe('http://127.0.0.1:8080/tracking');
  });
});

describe('the demo content with the demo gateway on another port', () => {
  let usual: Catalog;
  let moved: Catalog;
  let usualSite: DocsSite;
  let movedSite: DocsSite;

  beforeAll(async () => {
    [usual, moved] = await Promise.all([loadCatalog(content, { offline: true }), loadCatalog(content, { offline: true, demoGatewayUrl: GATEWAY })]);
    usualSite = buildDocsSite(usual);
    movedSite = buildDocsSite(moved);
  }, 60_000);

  it('moves every server on localhost:8080, in every API (override.servers too), and keeps the others', () => {
    const urls = (c: Catalog) => c.apis.flatMap((a) => a.versions.flatMap((v) => [...v.servers, ...v.operations.flatMap((op) => op.servers ?? [])].map((s) => s.url)));
    const before = urls(usual);
    expect(before.filter((u) => u.startsWith('http://localhost:8080/')).length).toBeGreaterThan(5);
    expect(urls(moved)).toEqual(before.map((u) => u.replace('http://localhost:8080/', 'http://localhost:9090/')));
    const tracking = moved.apis.find((a) => a.key === 'logistics/tracking')!;
    expect(tracking.versions[0]!.servers.map((s) => s.url)).toEqual(['http://localhost:9090/tracking', 'https://api.kestrel.example/tracking']);
  });

  it('gives the moved servers to the relay, which no longer knows localhost:8080', () => {
    expect(declaredServers(moved)).toContain('http://localhost:9090/shipments/v2');
    expect(declaredServers(moved)).toContain('https://api.kestrel.example/shipments/v2');
    expect(declaredServers(moved).some((u) => u.includes(':8080'))).toBe(false);
    expect(declaredServers(usual)).toContain('http://localhost:8080/shipments/v2');
  });

  it('shows them on operation pages, in the code samples, in Try it and in the spec download the consoles read', () => {
    const { api, version } = findVersion(movedSite, 'shipments', 'shipments-v2')!;
    const op = version.operations.find((o) => o.operationId === 'getLocation')!;
    const view = buildOperationView(api, version, op);
    expect(view.servers[0]).toBe('http://localhost:9090/shipments/v2');
    expect(view.tryIt!.servers).toEqual(['http://localhost:9090/shipments/v2', 'https://api.kestrel.example/shipments/v2']);
    const curl = view.samples.find((s) => s.lang === 'curl')!.code;
    expect(curl).toContain('http://localhost:9090/shipments/v2/locations/');
    expect(JSON.stringify(view)).not.toContain('localhost:8080');
    const document = publishedDocument(version);
    expect((document.servers as Array<{ url: string }>).map((s) => s.url)).toEqual(['http://localhost:9090/shipments/v2', 'https://api.kestrel.example/shipments/v2']);
    expect(JSON.stringify(version.version.spec!.document)).not.toContain('localhost:8080');
  });

  it('renders the pages again rather than reusing those of the usual address', () => {
    for (const api of movedSite.apis) {
      const before = usualSite.apis.find((a) => a.slug === api.slug)!;
      const servesDemo = JSON.stringify(before.api.versions.map((v) => v.servers)).includes('localhost:8080');
      expect(apiPagesKey(movedSite, api, 'fingerprint') !== apiPagesKey(usualSite, before, 'fingerprint')).toBe(servesDemo);
    }
  });
});

describe('configuration: PORTICO_DEMO_GATEWAY_URL', () => {
  it('is unset by default, and the relay may call the usual address', () => {
    const config = loadConfig({}, '/srv');
    expect(config.demoGatewayUrl).toBeUndefined();
    expect(config.relayAllowPrivate).toEqual(['localhost:8080', '127.0.0.1:8080']);
  });

  it('lets the relay call the demo gateway wherever it answers, whatever else is allowed', () => {
    expect(loadConfig({ PORTICO_DEMO_GATEWAY_URL: 'http://localhost:9090/' }, '/srv')).toMatchObject({
      demoGatewayUrl: 'http://localhost:9090',
      relayAllowPrivate: ['localhost:8080', '127.0.0.1:8080', 'localhost:9090'],
    });
    expect(loadConfig({ PORTICO_DEMO_GATEWAY_URL: 'http://127.0.0.1:9090', PORTICO_RELAY_ALLOW: '10.0.0.5:443' }, '/srv').relayAllowPrivate).toEqual(['10.0.0.5:443', '127.0.0.1:9090']);
    expect(loadConfig({ PORTICO_DEMO_GATEWAY_URL: 'http://gateway.test' }, '/srv').relayAllowPrivate).toContain('gateway.test:80');
  });

  it('names a value that is more than a scheme, host and port', () => {
    for (const [value, words] of [
      ['localhost:9090', 'must be an http:// or https:// URL'],
      ['http://localhost:9090/shipments', 'must be a scheme, host and port only, such as http://localhost:9090'],
      ['http://user:secret@localhost:9090', 'must be a scheme, host and port only, such as http://localhost:9090'],
    ]) {
      let error: unknown;
      try {
        loadConfig({ PORTICO_DEMO_GATEWAY_URL: value }, '/srv');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PorticoError);
      expect((error as Error).message).toContain(`PORTICO_DEMO_GATEWAY_URL=${JSON.stringify(value)}: ${words}`);
    }
  });
});
