import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../lib/http/problem.ts';
import { handle } from '../../../lib/server/http.ts';
import { portalStatus } from '../../../lib/server/status.ts';

export const prerender = false;

/**
 * The commit the docs were built from and when, a build under way or failed, and the writer's last
 * pass (decision record 19). An admin (session or access token) also gets the followed remote, the
 * reasons and the content's problems.
 */
export const GET: APIRoute = (context) => handle(context, async (server) => jsonResponse(portalStatus(server, context.locals.account?.admin === true)));
