import type { APIRoute } from 'astro';
import { apisToRender } from '../../../../lib/docs/for-build.ts';
import { routeFile, staticPathsOf } from '../../../../lib/docs/routes.ts';

export async function getStaticPaths() {
  return staticPathsOf(await apisToRender(), 'openapi-yaml');
}

/** The version's OpenAPI document as YAML. */
export const GET: APIRoute = ({ props }) => {
  const file = routeFile(props.route)!;
  return new Response(file.body, { headers: { 'Content-Type': file.contentType } });
};
