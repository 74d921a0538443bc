import semver from 'semver';
import { diagnosticAt } from '../../catalog/resources.ts';
import type { Diagnostic } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';
import { loaderDiagnostics } from '../rule.ts';

/**
 * `release`: each version of an API has its own semver release. The CRD's CEL rule (reported by the
 * loader) checks the syntax of APIVersion `spec.release`; two versions with one release make the
 * portal's "newest first" order, and the version a client gets, a coin toss.
 */
export const releaseRule: LintRule = {
  name: 'release',
  description: 'An APIVersion release is semver, and no two versions of one API share a release.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = loaderDiagnostics(input, 'release');
    const versionResources = new Map(input.resources.filter((r) => r.id.kind === 'APIVersion').map((r) => [`${r.id.namespace}/${r.id.name}`, r]));
    for (const api of input.catalog.apis) {
      if (api.versions.length < 2) continue;
      const seen = new Map<string, string>();
      // Walk in the order the API lists its versions, so the later-listed duplicate is the one reported.
      const listed: unknown[] = input.resources.find((r) => r.id.kind === 'API' && `${r.id.namespace}/${r.id.name}` === api.key)?.spec.versions ?? [];
      const order = (name: string) => listed.findIndex((e: any) => e?.name === name);
      for (const v of [...api.versions].sort((a, b) => order(a.name) - order(b.name))) {
        const r = versionResources.get(`${api.id.namespace}/${v.name}`);
        if (!r || typeof r.spec.release !== 'string') continue;
        const normal = semver.valid(r.spec.release) ?? r.spec.release;
        const first = seen.get(normal);
        if (first === undefined) {
          seen.set(normal, v.name);
          continue;
        }
        out.push(
          diagnosticAt(
            r.file,
            r.doc,
            ['spec', 'release'],
            'error',
            'release',
            `APIVersion ${v.name} of API ${api.key} has release ${r.spec.release}, like APIVersion ${first}`,
            'give each version of an API its own release',
          ),
        );
      }
    }
    return out;
  },
};
