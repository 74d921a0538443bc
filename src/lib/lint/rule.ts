import type { Diagnostic, Severity } from '../catalog/diagnostics.ts';
import type { Catalog } from '../catalog/model.ts';
import type { Resource } from '../catalog/resources.ts';

/** What every rule reads: the catalog (with the loader's diagnostics) and the raw resources it was made from. */
export interface LintInput {
  catalog: Catalog;
  /** Every Kubernetes document read, including the kinds the catalog keeps only as references. */
  resources: Resource[];
  /** The configured gateway targets (PORTICO_GATEWAYS); the default ones when not given. */
  gateways?: readonly string[];
}

/** One lint rule: a name users can switch off with `--rule.<name>=false`, and a check. */
export interface LintRule {
  name: string;
  /** One sentence for `--help`, SARIF `shortDescription` and docs/lint.md. */
  description: string;
  /** The severity of most of its findings, for SARIF `defaultConfiguration`. */
  severity: Severity;
  check(input: LintInput): Diagnostic[];
}

/**
 * The loader's diagnostics for one rule. Some loader findings belong to a lint rule other than the one
 * the loader tagged them with (see `ownerOf`), so the lint names stay those the docs promise.
 */
export function loaderDiagnostics(input: LintInput, rule: string): Diagnostic[] {
  return input.catalog.diagnostics.filter((d) => ownerOf(d) === rule).map((d) => ({ ...d, rule }));
}

/**
 * The lint rule that owns a loader diagnostic. CEL checks in the CRDs find duplicate names in lists and
 * releases that are not semver; the `duplicate` and `release` rules own those, so switching a rule off
 * switches off everything it promises.
 */
export function ownerOf(d: Diagnostic): string {
  if (d.rule !== 'resource') return d.rule;
  if (d.message.includes('is listed more than once')) return 'duplicate';
  if (d.path?.[d.path.length - 1] === 'release' && /semver/i.test(d.message)) return 'release';
  return 'resource';
}

/** Resources of one kind (`group/Kind`, e.g. `hub.traefik.io/APIBundle`; core kinds as `/Service`). */
export function resourcesOfKind(input: LintInput, groupKind: string): Resource[] {
  return input.resources.filter((r) => `${r.id.group}/${r.id.kind}` === groupKind);
}
