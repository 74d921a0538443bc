import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Every account, for admins. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    requireAdmin(context);
    return jsonResponse({ accounts: await accounts.list() });
  });
