import type { APIRoute } from 'astro';
import { docsForBuild } from '../lib/docs/for-build.ts';
import { siteToLlmsTxt } from '../lib/docs/operation-markdown.ts';

/** `/llms.txt` (https://llmstxt.org): every public API version and its operations, linked to their Markdown twins. */
export const GET: APIRoute = async () => new Response(siteToLlmsTxt(await docsForBuild()), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
