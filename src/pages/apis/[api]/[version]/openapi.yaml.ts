import type { APIRoute } from 'astro';
import { apisToRender } from '../../../../lib/docs/for-build.ts';
import { specToYaml } from '../../../../lib/docs/spec-download.ts';

export async function getStaticPaths() {
  return (await apisToRender()).flatMap((api) => api.versions.filter((v) => v.version.spec).map((version) => ({ params: { api: api.slug, version: version.slug }, props: { version } })));
}

/** The version's OpenAPI document as YAML. */
export const GET: APIRoute = ({ props }) => new Response(specToYaml(props.version), { headers: { 'Content-Type': 'application/yaml' } });
