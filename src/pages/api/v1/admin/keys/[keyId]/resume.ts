import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Lifts a suspension. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const admin = requireAdmin(context);
    const result = await access.setKeySuspended(String(context.params.keyId), false, admin.email);
    gitops.kick();
    return jsonResponse(result, 202);
  });
