import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** One application: each subscription's and key's status (committing, committed, active, revoked) and commit. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ access }) => jsonResponse({ application: await access.getApplication(requireAccount(context).id, String(context.params.id)) }));
