import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { lintContent } from '../../src/lib/lint/run.ts';

// Base URLs from what the gateway routes, when the spec has no usable server (issue 13, item 4).
const real = path.resolve(import.meta.dirname, '../fixtures/real');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A copy of traefik-airlines in which `change` picks a variant, as a kustomization would. */
function airlinesVariant(change: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-airlines-'));
  temps.push(dir);
  cpSync(path.join(real, 'traefik-airlines'), dir, { recursive: true });
  change(dir);
  return dir;
}

describe('traefik-airlines: placeholder hosts and the routes behind them', () => {
  it('the TLS set-up (api-tls.yaml, route-tls.yaml): lint warns of each EXTERNAL_IP host, in the API override and in the route, at its line', async () => {
    const dir = airlinesVariant((d) => {
      for (const f of ['api', 'route']) renameSync(path.join(d, `apis/customers/${f}-tls.yaml`), path.join(d, `apis/customers/${f}.yaml`));
    });
    const result = await lintContent(dir, { offline: true });
    const servers = result.diagnostics.filter((d) => d.rule === 'servers' && d.file.startsWith('apis/customers/'));
    expect(servers.map((d) => `${d.file}:${d.line} ${d.severity} ${d.message}`)).toEqual([
      'apis/customers/api.yaml:12 warning server https://customers.airlines.traefik.EXTERNAL_IP.sslip.io of API traefik-airlines/customers-api has a placeholder host; no route or listen path gives a real one, so try-it cannot reach it',
      'apis/customers/route.yaml:13 warning IngressRoute customers-ingress matches host customers.airlines.traefik.EXTERNAL_IP.sslip.io, a placeholder, so the portal cannot offer it as a server',
    ]);
  });

  it("the plain set-up without override.servers: the spec's ${EXTERNAL_IP} server is replaced by the route's hosts", async () => {
    const dir = airlinesVariant((d) => {
      for (const f of ['api', 'route']) rmSync(path.join(d, `apis/customers/${f}-tls.yaml`));
      const api = path.join(d, 'apis/customers/api.yaml');
      writeFileSync(api, readFileSync(api, 'utf8').replace(/\n    override:[\s\S]*$/, '\n'));
    });
    const catalog = await loadCatalog(dir, { offline: true });
    const v = catalog.apis.find((a) => a.key === 'traefik-airlines/customers-api')!.versions[0]!;
    expect(v.servers.map((s) => s.url)).toEqual(['http://customers.airlines.traefik', 'http://customers.airlines.traefik.localhost']);
    expect(v.serversFrom).toEqual({ resource: 'IngressRoute traefik-airlines/customers-ingress', source: { file: 'apis/customers/route.yaml', line: 3, column: 1 } });
    const result = await lintContent(dir, { offline: true });
    expect(result.diagnostics.filter((d) => d.rule === 'servers' && d.file === 'apps/customers/oas.yaml').map((d) => `${d.line} ${d.message}`)).toEqual([
      '20 server https://api.traefik.${EXTERNAL_IP}.sslip.io of API traefik-airlines/customers-api has a placeholder host; the portal uses http://customers.airlines.traefik, http://customers.airlines.traefik.localhost from IngressRoute traefik-airlines/customers-ingress instead',
    ]);
  });
});

describe('Gateway API HTTPRoutes and IngressRoutes with a path prefix (tests/fixtures/gateway/hub-apiauth)', async () => {
  const catalog = await loadCatalog(path.resolve(import.meta.dirname, '../fixtures/gateway/hub-apiauth'), { offline: true });

  it('an HTTPRoute on an HTTPS listener gives https://<hostname>; paths that already carry the prefix keep it once', () => {
    expect(catalog.apis.find((a) => a.key === 'hr/people')!.versions[0]!.servers).toEqual([{ url: 'https://hr.example.com', description: 'From the gateway route' }]);
    expect(catalog.apis.find((a) => a.key === 'shop/parcels')!.versions[0]!.servers).toEqual([{ url: 'https://api.shop.example', description: 'From the gateway route' }]);
  });

  it('a real server in override.servers is kept', () => {
    const v = catalog.apis.find((a) => a.key === 'status/status')!.versions[0]!;
    expect(v.servers.map((s) => s.url)).toEqual(['https://status.example.com']);
    expect(v.serversFrom).toBeUndefined();
  });
});

describe('Tyk: the listen path, relative, as no gateway host is known', async () => {
  const tyk = await loadCatalog(path.join(real, 'tyk-operator'), { offline: true });

  it('classic proxy.listen_path and OAS x-tyk-api-gateway.server.listenPath', () => {
    const servers = (key: string) => tyk.apis.find((a) => a.key === key)!.versions[0]!.servers.map((s) => s.url);
    expect(servers('default/httpbin-cache')).toEqual(['/httpbin-cache']);
    expect(servers('default/petstore')).toEqual(['/petstore/']);
  });
});
