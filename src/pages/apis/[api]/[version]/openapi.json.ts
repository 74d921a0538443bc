import type { APIRoute } from 'astro';
import { apisToRender } from '../../../../lib/docs/for-build.ts';
import { specToJson } from '../../../../lib/docs/spec-download.ts';

export async function getStaticPaths() {
  return (await apisToRender()).flatMap((api) => api.versions.filter((v) => v.version.spec).map((version) => ({ params: { api: api.slug, version: version.slug }, props: { version } })));
}

/** The version's OpenAPI document (normalised to 3.1, operations the audience cannot see removed), as JSON. */
export const GET: APIRoute = ({ props }) => new Response(specToJson(props.version), { headers: { 'Content-Type': 'application/json' } });
