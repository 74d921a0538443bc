import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Sets the groups an admin assigns to an account (identity-provider groups are added to these). */
export const PUT: APIRoute = (context) =>
  handle(context, async ({ accounts }) => {
    requireAdmin(context);
    const body = await readJsonBody(context.request);
    return jsonResponse({ account: await accounts.setAssignedGroups(String(context.params.id), body.groups) });
  });
