import type { APIRoute } from 'astro';
import { apisToRender } from '../../../../../../lib/docs/for-build.ts';
import { operationToMarkdown } from '../../../../../../lib/docs/operation-markdown.ts';

export async function getStaticPaths() {
  return (await apisToRender()).flatMap((api) =>
    api.versions.flatMap((version) =>
      version.operations.map((operation) => ({ params: { api: api.slug, version: version.slug, operation: version.operationSlugs.get(operation)! }, props: { api, version, operation } })),
    ),
  );
}

/** The operation page's Markdown twin (served as text/markdown, src/lib/server/serve.ts); the page links it as an alternate. */
export const GET: APIRoute = ({ props }) => new Response(operationToMarkdown(props.api, props.version, props.operation), { headers: { 'Content-Type': 'text/markdown; charset=utf-8' } });
