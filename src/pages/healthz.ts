import type { APIRoute } from 'astro';

export const prerender = false;

/** Liveness: the process serves HTTP. Needs nothing else, so an orchestrator restarts only a dead process. */
export const GET: APIRoute = () => new Response(JSON.stringify({ status: 'ok' }), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
