import { docsState } from './docs-state.ts';
import type { ServerContext } from './context.ts';

/** What /api/v1/status and the admin overview say about the docs and the writer. */
export interface PortalStatus {
  docs: {
    /** The commit the served docs were built from; null when built from a folder, not a followed branch. */
    commit: string | null;
    builtAt: string | null;
    following: { url: string; branch: string; path: string } | null;
    building: { commit: string; since: string } | null;
    lastUpdate: { commit: string; at: string; seconds: Record<string, number>; apisRendered?: number; apisReused?: number } | null;
    lastCheck: { at: string; commit?: string; error?: string } | null;
    lastFailure: { commit: string; at: string; error?: string } | null;
    problems: { errors: number; warnings: number; list?: Array<{ severity: string; file?: string; line?: number; message: string }> };
  };
  writer: { lastPassAt: string | null; outcome: string | null; error?: string };
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

/**
 * The portal's status. Everyone may read the commit and whether builds fail; the remote, the
 * reasons and the content's problems (file names, messages) only an admin.
 */
export function portalStatus(server: ServerContext, admin: boolean): PortalStatus {
  const state = docsState();
  // The served catalog's own: the server context holds the catalog of the site it serves.
  const problems = server.catalog.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => ({ severity: d.severity, file: d.file, line: d.line, message: d.message }));
  const last = server.gitops.lastPass();
  const passError = last.error ?? (last.drain?.outcome === 'failed' ? last.drain.error : undefined);
  return {
    docs: {
      commit: state.commit ?? null,
      builtAt: iso(state.builtAt),
      following: admin && state.following ? state.following : null,
      building: state.building ? { commit: state.building.commit, since: state.building.since.toISOString() } : null,
      lastUpdate: state.lastUpdate ? { ...state.lastUpdate, at: state.lastUpdate.at.toISOString() } : null,
      lastCheck: state.lastCheck ? { at: state.lastCheck.at.toISOString(), commit: state.lastCheck.commit, ...(admin && state.lastCheck.error ? { error: state.lastCheck.error } : {}) } : null,
      lastFailure: state.lastFailure ? { commit: state.lastFailure.commit, at: state.lastFailure.at.toISOString(), ...(admin ? { error: state.lastFailure.error } : {}) } : null,
      problems: {
        errors: problems.filter((p) => p.severity === 'error').length,
        warnings: problems.filter((p) => p.severity === 'warning').length,
        ...(admin ? { list: problems.slice(0, 200) } : {}),
      },
    },
    writer: { lastPassAt: iso(last.at), outcome: last.drain?.outcome ?? (last.error ? 'failed' : null), ...(admin && passError ? { error: passError } : {}) },
  };
}
