import type { APIRoute } from 'astro';
import { problemResponse } from '../../../lib/http/problem.ts';

export const prerender = false;

/**
 * Any /api/v1 address no endpoint has: a script gets a problem document it can read, not the
 * HTML 404 page that browsers get for a missing page.
 */
export const ALL: APIRoute = ({ url, locals }) =>
  problemResponse(404, 'not-found', `There is no API endpoint at ${url.pathname}. The endpoints are listed in /api/v1/openapi.json.`, {}, locals.requestId ? { requestId: locals.requestId } : {});
