import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Suspends a key: the gateway refuses it until an admin resumes it. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const admin = requireAdmin(context);
    const result = await access.setKeySuspended(String(context.params.keyId), true, admin.email);
    gitops.kick();
    return jsonResponse(result, 202);
  });
