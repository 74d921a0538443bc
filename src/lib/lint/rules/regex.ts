import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic, DocPath } from '../../catalog/diagnostics.ts';
import { readRouteClaims } from '../routes.ts';
import type { LintRule } from '../rule.ts';

/**
 * Why a Go (RE2) regular expression is invalid, or undefined when it is valid. Traefik is written in Go,
 * so Go's syntax is the one that counts: `(?P<name>)` and leading `(?i)` flags are translated before
 * compiling with JavaScript's engine, and what RE2 lacks (lookaround, backreferences) is refused.
 */
export function goRegexProblem(source: string): string | undefined {
  if (/\(\?<?[=!]/.test(source)) return 'lookaround assertions are not supported by Go regular expressions (RE2)';
  if (/(^|[^\\])\\[1-9]/.test(source)) return 'backreferences are not supported by Go regular expressions (RE2)';
  let body = source.replace(/\(\?P</g, '(?<');
  let flags = '';
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    flags = [...new Set(leading[1]!.replace('U', ''))].join('');
    body = body.slice(leading[0].length);
  }
  try {
    new RegExp(body, flags);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
  }
}

function operationSetRegexes(r: Resource): Array<{ path: DocPath; value: string }> {
  const out: Array<{ path: DocPath; value: string }> = [];
  const bases: DocPath[] = [
    ['spec', 'openApiSpec'],
    ['spec', 'service', 'openApiSpec'],
  ];
  for (const base of bases) {
    let oas: any = r.body;
    for (const k of base) oas = oas?.[k];
    const sets = Array.isArray(oas?.operationSets) ? oas.operationSets : [];
    sets.forEach((set: any, i: number) => {
      (Array.isArray(set?.matchers) ? set.matchers : []).forEach((m: any, j: number) => {
        if (typeof m?.pathRegex === 'string') out.push({ path: [...base, 'operationSets', i, 'matchers', j, 'pathRegex'], value: m.pathRegex });
      });
    });
  }
  return out;
}

/** `regex`: operation-set pathRegex, IngressRoute PathRegexp/HostRegexp and CORS origin regexes compile as Go regexes. */
export const regexRule: LintRule = {
  name: 'regex',
  description: 'Every pathRegex of an operation set, PathRegexp/HostRegexp of a Hub route and CORS origin regex (accessControlAllowOriginListRegex) is a valid Go regular expression.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = [];
    const report = (r: Resource, path: DocPath, what: string, value: string) => {
      const problem = goRegexProblem(value);
      if (problem) out.push(diagnosticAt(r.file, r.doc, path, 'error', 'regex', `${r.id.kind} ${r.id.name}: invalid ${what} ${JSON.stringify(value)}: ${problem}`));
    };
    for (const r of input.resources) {
      if (r.id.group === 'hub.traefik.io' && (r.id.kind === 'API' || r.id.kind === 'APIVersion')) {
        for (const { path, value } of operationSetRegexes(r)) report(r, path, 'pathRegex', value);
      }
      if (r.id.kind === 'Middleware') {
        const origins = r.spec.headers?.accessControlAllowOriginListRegex;
        if (Array.isArray(origins)) origins.forEach((o: unknown, i: number) => typeof o === 'string' && report(r, ['spec', 'headers', 'accessControlAllowOriginListRegex', i], 'origin regex', o));
      }
    }
    for (const claim of readRouteClaims(input.resources, input.catalog.apis)) {
      for (const { matcher, value } of claim.regexes) report(claim.resource, claim.docPath, `${matcher}`, value);
    }
    return out;
  },
};
