import type { APIRoute } from 'astro';
import { porticoApiDocument } from '../../../lib/api/openapi.ts';
import { jsonResponse } from '../../../lib/http/problem.ts';
import { getServerContext } from '../../../lib/server/context.ts';

export const prerender = false;

/** The OpenAPI 3.1 description of this API. */
export const GET: APIRoute = async () => {
  const { config } = await getServerContext();
  return jsonResponse(porticoApiDocument(config.publicUrl));
};
