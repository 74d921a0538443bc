import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { apiFlavourLabel, describeApiFlavour } from '../../src/lib/docs/api-flavour.ts';
import { buildDocsSite } from '../../src/lib/docs/site.ts';
import { lintContent } from '../../src/lib/lint/run.ts';

// Kinds that used to be dropped without a word (issue 13, item 4). Traefik Hub: a small synthetic
// repository (tests/fixtures/gateway/hub-kinds/README.md); Tyk: the tyk-operator samples as published.
const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const hubKinds = path.join(fixtures, 'gateway/hub-kinds');

describe('Traefik Hub: APIRateLimit, APIPortalAuth, AIService, AI and MCP APIs', async () => {
  const catalog = await loadCatalog(hubKinds, { offline: true });
  const at = (line: number) => catalog.diagnostics.filter((d) => d.file === 'resources.yaml' && d.line === line).map((d) => `${d.severity} ${d.rule} ${d.message}`);

  it('reads a deprecated APIRateLimit as a plan, says what replaces it, and lint does not call it an orphan', async () => {
    expect(catalog.plans.map((p) => [p.key, p.id.kind, p.rateLimit])).toEqual([['ai/basic', 'APIRateLimit', { requests: 20, periodSeconds: 60 }]]);
    expect(at(2)).toEqual(['warning legacy APIRateLimit is deprecated in Traefik Hub; Portico reads basic as a plan of 20 requests per 1m']);
    const result = await lintContent(hubKinds, { offline: true });
    expect(result.diagnostics.filter((d) => d.rule === 'orphan')).toEqual([]);
  });

  it('recognises APIPortalAuth and AIService, and says so, at their lines', () => {
    expect(at(14)).toEqual([
      "info resource APIPortalAuth ai/portal-sso signs people in to Traefik Hub's portal (OIDC with https://login.example.com); Portico's portal has its own sign-in, so it does not use it",
    ]);
    expect(at(26)).toEqual([
      'info resource AIService ai/anthropic (Anthropic, model claude-3-5-haiku) is a backend for the AI gateway, not an API: the API whose route sends calls to it is shown as an AI API',
    ]);
  });

  it('shows an API routed to an AIService as an AI gateway API, and one behind an MCP middleware as an MCP server, not as "0 operations"', () => {
    const site = buildDocsSite(catalog);
    const chat = site.apis.find((a) => a.api.key === 'ai/chat')!;
    const tools = site.apis.find((a) => a.api.key === 'ai/tools')!;
    expect(chat.api.flavour).toEqual({ kind: 'ai', resource: 'AIService ai/anthropic', detail: 'Anthropic, model claude-3-5-haiku' });
    expect(tools.api.flavour).toEqual({ kind: 'mcp', resource: 'Middleware ai/mcp' });
    expect(apiFlavourLabel(chat.api.flavour!)).toBe('AI gateway API');
    expect(describeApiFlavour(chat.api.flavour!)).toContain('forwards its calls to Anthropic, model claude-3-5-haiku (AIService ai/anthropic)');
    expect(describeApiFlavour(tools.api.flavour!)).toContain('An MCP server (Model Context Protocol)');
    // Without an OpenAPI document such an API is not a mistake: the loader's warning is information.
    expect(at(41)).toEqual(['info openapi API chat has no openApiSpec; as an AI gateway API it is documented without operations']);
  });
});

describe('Tyk APIDescription: the portal text of the classic API its policy grants (config/samples/portal)', async () => {
  const tyk = await loadCatalog(path.join(fixtures, 'real/tyk-operator'), { offline: true });

  it('its documentation link becomes the description of the API that has none', () => {
    // dcr.yaml: APIDescription sample-dcr-api -> SecurityPolicy tyk/jwt-policy -> ApiDefinition tyk/httpbin.
    expect(tyk.apis.find((a) => a.key === 'tyk/httpbin')!.description).toBe('Documentation: <https://httpbin.org/spec.json>');
  });
});
