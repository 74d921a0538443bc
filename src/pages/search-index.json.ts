import type { APIRoute } from 'astro';
import { docsForBuild } from '../lib/docs/for-build.ts';
import { buildOperationIndex } from '../lib/docs/operation-index.ts';

/** The exact operation index of the public site (src/lib/docs/operation-index.ts), read by the search dialog and page. */
export const GET: APIRoute = async () => new Response(JSON.stringify(buildOperationIndex(await docsForBuild())), { headers: { 'Content-Type': 'application/json' } });
