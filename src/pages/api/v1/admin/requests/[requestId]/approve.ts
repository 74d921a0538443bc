import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Approves a request: its branch is merged into the target branch, and the grant becomes active there. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const admin = requireAdmin(context);
    const result = await access.approve(String(context.params.requestId), admin.email);
    gitops.kick();
    return jsonResponse(result);
  });
