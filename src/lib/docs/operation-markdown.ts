/**
 * The Markdown twin of an operation page (`…/operations/<op>/index.md`) and the site's `/llms.txt`
 * (https://llmstxt.org): the same facts as the HTML pages, in plain Markdown for language models and
 * terminals, as Zudoku and Mintlify offer (issue 15). Built from the public site only: an API shown
 * to a group never reaches either.
 */
import type { OpenApiObject, Operation } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { codeSamples, sampleBodyOf, sampleRequest } from './code-samples.ts';
import { exampleOf } from './example.ts';
import { summariseMarkdown } from './markdown.ts';
import { typeLabel } from './schema-tree.ts';
import { hrefOfOperation, type DocsApi, type DocsSite, type DocsVersion } from './site.ts';
import { isObject } from '../util/is-object.ts';

/** Text for one table cell: one line, pipes escaped. */
function cell(text: string | undefined): string {
  return (text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

/** Inline code that survives backticks in the text (CommonMark: a longer fence). */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}

/** A fenced block whose fence is longer than any run of backticks inside. */
function fenced(lang: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** The title an operation goes by: its summary, else "METHOD /path". */
function titleOf(op: Operation): string {
  return op.summary?.trim() || `${op.method.toUpperCase()} ${op.path}`;
}

/** A description followed by the values a schema allows and its default, as the HTML page lists them. */
function withValues(description: unknown, schema: OpenApiObject | undefined): string {
  const parts = [typeof description === 'string' ? description.trim() : ''];
  if (schema && Array.isArray(schema.enum)) parts.push(`One of: ${schema.enum.map((v) => code(JSON.stringify(v))).join(', ')}.`);
  if (schema && schema.default !== undefined) parts.push(`Default: ${code(JSON.stringify(schema.default))}.`);
  return parts.filter(Boolean).join(' ');
}

function parameterRows(doc: OpenApiObject, op: Operation): string[] {
  return op.parameters.map((raw) => {
    const p = resolveLocalRef<OpenApiObject>(doc, raw) ?? {};
    const type = isObject(p.schema) ? typeLabel({ doc }, p.schema) : 'string';
    return `| ${code(String(p.name ?? ''))} | ${cell(String(p.in ?? ''))} | ${cell(type)} | ${p.required === true ? 'yes' : 'no'} | ${cell(withValues(p.description, resolveLocalRef<OpenApiObject>(doc, p.schema)))} |`;
  });
}

/** The request body: each media type, and the top-level fields of its schema. */
function requestBodySection(doc: OpenApiObject, op: Operation): string[] {
  const body = resolveLocalRef<OpenApiObject>(doc, op.requestBody);
  if (!body) return [];
  const out = [`## Request body (${body.required === true ? 'required' : 'optional'})`, ''];
  if (typeof body.description === 'string' && body.description.trim()) out.push(body.description.trim(), '');
  for (const [mediaType, media] of Object.entries(isObject(body.content) ? body.content : {})) {
    const schema = isObject(media) ? resolveLocalRef<OpenApiObject>(doc, media.schema) : undefined;
    out.push(`${code(mediaType)}: ${schema ? cell(typeLabel({ doc }, (media as OpenApiObject).schema)) : 'any content'}`, '');
    const properties = schema && isObject(schema.properties) ? Object.entries(schema.properties) : [];
    if (properties.length > 0) {
      const required = new Set(Array.isArray(schema!.required) ? schema!.required.map(String) : []);
      out.push('| Field | Type | Required | Description |', '| --- | --- | --- | --- |');
      for (const [name, raw] of properties) {
        const prop = resolveLocalRef<OpenApiObject>(doc, raw) ?? {};
        out.push(`| ${code(name)} | ${cell(typeLabel({ doc }, raw))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(withValues(prop.description, prop))} |`);
      }
      out.push('');
    }
  }
  return out;
}

function curlSample(version: DocsVersion, op: Operation): string | undefined {
  const doc = version.version.spec?.document ?? {};
  const body = resolveLocalRef<OpenApiObject>(doc, op.requestBody);
  const first = body && isObject(body.content) ? Object.entries(body.content)[0] : undefined;
  const media = first && isObject(first[1]) ? first[1] : undefined;
  // The same body as the page's samples: files as files, and a large body capped (the field table above lists every field).
  const sampleBody = first ? sampleBodyOf(doc, first[0], media ?? {}, exampleOf(doc, media)) : undefined;
  const samples = codeSamples(sampleRequest(op, version.version.servers, version.version.securitySchemes, sampleBody));
  return (samples.find((s) => /curl|shell/i.test(`${s.lang} ${s.label}`)) ?? samples[0])?.code;
}

/** The Markdown twin of one operation page. `siteUrl` makes links absolute when the portal's address is known. */
export function operationToMarkdown(api: DocsApi, version: DocsVersion, op: Operation, siteUrl = ''): string {
  const doc = version.version.spec?.document ?? {};
  const method = op.method.toUpperCase();
  const out: string[] = [`# ${titleOf(op)}`, '', fenced('http', `${method} ${op.path}`), ''];
  out.push(
    `${api.api.title}, version ${version.version.name}${version.version.deprecated ? ' (deprecated)' : ''} · operationId ${code(op.operationId)}${op.tags.length ? ` · ${op.tags.join(', ')}` : ''}`,
    '',
  );
  if (op.deprecated) out.push('> This operation is deprecated.', '');
  if (op.summary?.trim() && titleOf(op) !== op.summary.trim()) out.push(op.summary.trim(), '');
  if (op.description?.trim()) out.push(op.description.trim(), '');

  const params = parameterRows(doc, op);
  if (params.length > 0) out.push('## Parameters', '', '| Name | In | Type | Required | Description |', '| --- | --- | --- | --- | --- |', ...params, '');
  out.push(...requestBodySection(doc, op));

  const responses = Object.entries(op.responses);
  if (responses.length > 0) {
    out.push('## Responses', '', '| Status | Description | Content |', '| --- | --- | --- |');
    for (const [status, raw] of responses) {
      const r = resolveLocalRef<OpenApiObject>(doc, raw) ?? {};
      const types = Object.keys(isObject(r.content) ? r.content : {})
        .map(code)
        .join(', ');
      out.push(`| ${code(status)} | ${cell(r.description as string | undefined)} | ${types} |`);
    }
    out.push('');
  }

  const curl = curlSample(version, op);
  if (curl) out.push('## Example request', '', fenced('sh', curl), '');
  out.push(`HTML page: <${siteUrl}${hrefOfOperation(api, version, op)}>`, '');
  return out.join('\n');
}

/**
 * `/llms.txt`: the portal's title and summary, then one section per public API version listing
 * each operation as a link to its Markdown twin with a one-line summary.
 */
export function siteToLlmsTxt(site: DocsSite, siteUrl = ''): string {
  const title = site.portal?.title ?? 'API portal';
  const out: string[] = [`# ${title}`, ''];
  const summary = summariseMarkdown(site.portal?.description, 300) || `The public API reference of ${title}: ${site.apis.length} API${site.apis.length === 1 ? '' : 's'}.`;
  out.push(`> ${cell(summary)}`, '');
  out.push(
    'Each operation below links to a Markdown version of its page (method, path, parameters, request body, responses and a curl example). The HTML pages are at the same addresses without `index.md`.',
    '',
  );
  for (const api of site.apis) {
    for (const version of api.versions) {
      out.push(`## ${api.api.title}, version ${version.version.name}${version.version.deprecated ? ' (deprecated)' : ''}`, '');
      const about = summariseMarkdown(version.version.description ?? api.api.description, 300);
      if (about) out.push(cell(about), '');
      for (const op of version.operations) {
        const line = summariseMarkdown(op.description, 160) || op.summary?.trim() || '';
        out.push(
          `- [${titleOf(op).replace(/[[\]]/g, '\\$&')}](${siteUrl}${hrefOfOperation(api, version, op)}index.md): ${code(`${op.method.toUpperCase()} ${op.path}`)}${line && line !== titleOf(op) ? ` ${cell(line)}` : ''}`,
        );
      }
      if (version.operations.length === 0) out.push('- No operations are documented in this version.');
      out.push('');
    }
  }
  return out.join('\n');
}
