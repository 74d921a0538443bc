import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Rejects a request: its branch is deleted and the consumer sees the reason. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const admin = requireAdmin(context);
    const body = context.request.headers.get('content-type') ? await readJsonBody(context.request) : {};
    const result = await access.reject(String(context.params.requestId), admin.email, body.reason);
    gitops.kick();
    return jsonResponse(result);
  });
