import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Grants whose Git state differs from the database, as the last reconcile found them. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ gitops }) => {
    requireAdmin(context);
    const { checkedAt, drift } = gitops.drift();
    return jsonResponse({ checkedAt: checkedAt ?? null, drift });
  });
