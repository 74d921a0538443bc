import type { APIRoute } from 'astro';
import { apisToRender } from '../../../../../../lib/docs/for-build.ts';
import { routeFile, staticPathsOf } from '../../../../../../lib/docs/routes.ts';

export async function getStaticPaths() {
  return staticPathsOf(await apisToRender(), 'operation-markdown');
}

/** The operation page's Markdown twin (served as text/markdown, src/lib/server/serve.ts); the page links it as an alternate. */
export const GET: APIRoute = ({ props }) => {
  const file = routeFile(props.route)!;
  return new Response(file.body, { headers: { 'Content-Type': file.contentType } });
};
