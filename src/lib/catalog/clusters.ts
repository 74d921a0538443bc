import type { Diagnostic } from './diagnostics.ts';

/** One way the repository can be applied: a cluster's folder, or one of several kustomizations that pick between variants. */
export interface ClusterCandidate {
  /** The folder, relative to the content root ('.' for the root itself). */
  name: string;
  /** Where to point a message about it. */
  at: { file: string; line: number; column: number };
  /** Every file it applies, to find the portal's folder and APIs. */
  files: Set<string>;
  /** Whether it applies an API (Traefik Hub API/APIVersion, Tyk API definition). */
  appliesApis: boolean;
}

/** What decides the cluster, besides the candidates. */
export interface ClusterChoiceSettings {
  /** PORTICO_CLUSTER. */
  cluster?: string;
  /** The folder Portico commits grants to (PORTICO_GIT_DIRECTORY): the cluster applying it is the portal's own. */
  portalFolder?: string;
}

const normalise = (name: string): string => name.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';

/** Does PORTICO_CLUSTER name this folder: the folder itself, or its last segments (`production` for `clusters/production`)? */
export function clusterNameMatches(folder: string, setting: string): boolean {
  const want = normalise(setting);
  return folder === want || folder.endsWith(`/${want}`);
}

/**
 * Chooses the candidate to document (decision record 11): the one PORTICO_CLUSTER names; the only
 * one; the only one that applies the portal's own folder; the only one that applies APIs (a set-up
 * without APIs has nothing to document); else the first in sorted order, with a warning that asks
 * for the setting. `what` names the candidates in messages ("clusters", "kustomizations").
 */
export function chooseCluster(candidates: ClusterCandidate[], settings: ClusterChoiceSettings, what: string, diagnostics: Diagnostic[]): ClusterCandidate | undefined {
  const sorted = [...candidates].sort((a, b) => a.name.localeCompare(b.name));
  if (sorted.length <= 1) return sorted[0];
  const names = sorted.map((c) => c.name).join(', ');
  const first = sorted[0]!;
  if (settings.cluster) {
    const named = sorted.filter((c) => clusterNameMatches(c.name, settings.cluster!));
    if (named.length === 1) return named[0];
    diagnostics.push({
      severity: 'error',
      rule: 'cluster',
      ...first.at,
      message:
        named.length === 0
          ? `PORTICO_CLUSTER is "${settings.cluster}", but this repository's ${what} are ${names}`
          : `PORTICO_CLUSTER "${settings.cluster}" names several ${what}: ${named.map((c) => c.name).join(', ')}`,
      hint: `set PORTICO_CLUSTER to one of: ${names}`,
    });
  }
  const chosen = (list: ClusterCandidate[], why: string): ClusterCandidate => {
    const c = list[0]!;
    diagnostics.push({
      severity: 'info',
      rule: 'cluster',
      ...c.at,
      message: `this repository has several ${what} (${names}); Portico documents ${c.name}, ${why}`,
      hint: 'set PORTICO_CLUSTER to document another',
    });
    return c;
  };
  const folder = settings.portalFolder && normalise(settings.portalFolder);
  if (folder && !settings.cluster) {
    const own = sorted.filter((c) => [...c.files].some((f) => f.startsWith(`${folder}/`)));
    if (own.length === 1) return chosen(own, `the one that applies the portal's folder ${folder}/`);
  }
  if (!settings.cluster) {
    const withApis = sorted.filter((c) => c.appliesApis);
    if (withApis.length === 1) return chosen(withApis, 'the only one that applies APIs');
  }
  if (!settings.cluster) {
    diagnostics.push({
      severity: 'warning',
      rule: 'cluster',
      ...first.at,
      message: `this repository has several ${what} (${names}) and nothing says which one the portal documents; Portico documents ${first.name}, the first`,
      hint: `set PORTICO_CLUSTER to one of: ${names}`,
    });
  }
  return first;
}
