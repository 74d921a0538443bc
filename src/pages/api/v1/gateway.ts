import type { APIRoute } from 'astro';
import { getGatewayStatus } from '../../../lib/gateway/status.ts';
import { jsonResponse } from '../../../lib/http/problem.ts';

export const prerender = false;

/** Whether the demo gateway runs, where, and where its upstream is: the Try-it console says which one it calls. */
export const GET: APIRoute = () => jsonResponse(getGatewayStatus());
