import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Access requests waiting for approval (catalog items in pull-request mode), oldest first. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ access }) => {
    requireAdmin(context);
    return jsonResponse({ requests: await access.pendingRequests() });
  });
