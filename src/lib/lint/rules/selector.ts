import { diagnosticAt, type Resource } from '../../catalog/resources.ts';
import type { Diagnostic, DocPath } from '../../catalog/diagnostics.ts';
import type { LintRule } from '../rule.ts';

/** Which fields hold label selectors, by kind. */
const SELECTOR_FIELDS: Record<string, string[]> = {
  'hub.traefik.io/APIBundle': ['apiSelector'],
  'hub.traefik.io/APICatalogItem': ['apiSelector'],
  'hub.traefik.io/ManagedSubscription': ['apiSelector', 'managedApplicationSelector'],
  'hub.traefik.io/APIAccess': ['apiSelector'],
};

// Kubernetes label syntax (k8s.io/apimachinery validation): name 63 chars, optional DNS-subdomain prefix.
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Why a label key is not valid, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `its prefix "${prefix}" is not a DNS subdomain`;
  if (!LABEL_NAME.test(name)) return `"${name}" is not a label name (63 letters, digits, "-", "_" or ".", starting and ending alphanumeric)`;
  return undefined;
}

function checkSelector(r: Resource, field: string, selector: any, out: Diagnostic[]): void {
  const at = (p: DocPath, severity: 'error' | 'warning', message: string, hint?: string) =>
    out.push(diagnosticAt(r.file, r.doc, ['spec', field, ...p], severity, 'selector', `${r.id.kind} ${r.id.name}: ${message}`, hint));
  if (!selector || typeof selector !== 'object') return;
  const labels = selector.matchLabels && typeof selector.matchLabels === 'object' ? selector.matchLabels : {};
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(labels).length === 0 && expressions.length === 0) {
    at(
      [],
      'warning',
      `spec.${field} is empty, so it matches every ${field === 'managedApplicationSelector' ? 'ManagedApplication' : 'API'} in namespace ${r.id.namespace}`,
      'add matchLabels or matchExpressions, or list the resources by name',
    );
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key);
    if (problem) at(['matchLabels', key], 'error', `label key "${key}" is malformed: ${problem}`);
    if (typeof value !== 'string' || !LABEL_VALUE.test(value))
      at(['matchLabels', key], 'error', `label value ${JSON.stringify(value)} for "${key}" is malformed (63 letters, digits, "-", "_" or ".")`);
  }
  expressions.forEach((e: any, i: number) => {
    if (!e || typeof e !== 'object') return;
    if (typeof e.key === 'string') {
      const problem = labelKeyProblem(e.key);
      if (problem) at(['matchExpressions', i, 'key'], 'error', `label key "${e.key}" is malformed: ${problem}`);
    }
    const values = Array.isArray(e.values) ? e.values : [];
    if (!OPERATORS.has(e.operator)) {
      at(['matchExpressions', i, 'operator'], 'error', `operator "${e.operator}" is not one of In, NotIn, Exists, DoesNotExist`);
    } else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      at(['matchExpressions', i], 'error', `operator ${e.operator} needs at least one value; Kubernetes rejects this selector`);
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      at(['matchExpressions', i, 'values'], 'error', `operator ${e.operator} takes no values; Kubernetes rejects this selector`);
    }
  });
}

/** `selector`: label selectors Kubernetes would reject, and empty selectors that silently match everything. */
export const selectorRule: LintRule = {
  name: 'selector',
  description: 'Malformed label selectors (bad keys or values, operators without values); empty selectors that match everything are warned.',
  severity: 'error',
  check(input) {
    const out: Diagnostic[] = [];
    for (const r of input.resources) {
      for (const field of SELECTOR_FIELDS[`${r.id.group}/${r.id.kind}`] ?? []) if (field in r.spec) checkSelector(r, field, r.spec[field], out);
    }
    return out;
  },
};
