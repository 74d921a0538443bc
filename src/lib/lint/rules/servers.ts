import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';

/**
 * `servers`: an API version whose OpenAPI document names no server. The portal's try-it and code samples
 * take the base URL from `servers` (or `override.servers`), so such a version can only be read, not tried.
 */
export const serversRule: LintRule = {
  name: 'servers',
  description: 'An API version without a server (OpenAPI servers or openApiSpec.override.servers) gets no try-it and no runnable code samples.',
  severity: 'warning',
  check(input) {
    const out: Diagnostic[] = [];
    const byKey = new Map(input.resources.map((r) => [`${r.id.kind}/${r.id.namespace}/${r.id.name}`, r]));
    for (const api of input.catalog.apis) {
      for (const v of api.versions) {
        if (!v.spec || v.operations.length === 0 || v.servers.length > 0 || v.operations.every((o) => o.servers?.length)) continue;
        const r = byKey.get(`APIVersion/${api.id.namespace}/${v.name}`) ?? byKey.get(`${api.id.kind}/${api.id.namespace}/${api.id.name}`);
        const place = r ? diagnosticAt(r.file, r.doc, ['metadata', 'name'], 'warning', 'servers', '') : { ...v.source, severity: 'warning' as const, rule: 'servers', message: '' };
        out.push({
          ...place,
          message: `${api.versions.length > 1 ? `version ${v.name} of ` : ''}API ${api.key} has no server, so the portal offers no try-it for its ${v.operations.length} operations`,
          hint: api.gateway.gateway === 'traefik-hub'
            ? 'add servers to the OpenAPI document, or spec.openApiSpec.override.servers with the public URL'
            : 'add servers to the OpenAPI document with the gateway URL and listen path',
        });
      }
    }
    return out;
  },
};
