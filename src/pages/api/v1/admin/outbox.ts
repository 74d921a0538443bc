import type { APIRoute } from 'astro';
import { listGitOutbox } from '../../../../lib/access/outbox.ts';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../lib/server/http.ts';

export const prerender = false;

/** The Git outbox: changes waiting for the writer (with the last error) and the latest published. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ database, gitops }) => {
    requireAdmin(context);
    const last = gitops.lastPass();
    return jsonResponse({
      ...(await listGitOutbox(database.db)),
      lastPass: { at: last.at ?? null, outcome: last.drain?.outcome ?? null, error: last.error ?? (last.drain?.outcome === 'failed' ? last.drain.error : null) },
    });
  });
