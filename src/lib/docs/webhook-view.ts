import type { OpenApiObject, Webhook } from '../catalog/model.ts';
import { resolveLocalRef } from '../catalog/openapi.ts';
import { renderMarkdown } from './markdown.ts';
import { mediaViews, shareRepeatedTrees, type MediaView } from './media-view.ts';
import { parameterView, responseViews, type ParameterView, type ResponseView } from './operation-view.ts';
import type { DocsApi, DocsVersion } from './site.ts';
import { operationSlug } from './urls.ts';
import { isObject } from '../util/is-object.ts';

/** Everything a webhook page shows: the request the API sends to a consumer, and the answers it expects. */
export interface WebhookView {
  name: string;
  method: string;
  operationId: string;
  title: string;
  summary?: string;
  /** Sanitised HTML. */
  description: string;
  deprecated: boolean;
  /** Headers (and any other parameters) of the request the API sends. */
  parameters: Array<{ location: string; label: string; parameters: ParameterView[] }>;
  payload?: { description: string; required: boolean; content: MediaView[] };
  /** What the API expects the consumer's endpoint to answer. */
  responses: ResponseView[];
  /** Prefix of the version's schema pages. */
  schemaBaseHref: string;
  /** The same webhook in other versions of the API, or the version's page. */
  otherVersions: Array<{ name: string; release: string; href: string; current: boolean; deprecated: boolean }>;
}

const LOCATIONS: Array<[string, string]> = [
  ['header', 'Headers'],
  ['query', 'Query parameters'],
  ['path', 'Path parameters'],
  ['cookie', 'Cookies'],
];

/**
 * The URL segment of each webhook of a version, unique within it: the webhook's name, with the
 * method added when one name has several.
 */
export function webhookSlugs(version: DocsVersion): Map<Webhook, string> {
  const webhooks = version.version.webhooks;
  const perName = new Map<string, number>();
  for (const w of webhooks) perName.set(w.name, (perName.get(w.name) ?? 0) + 1);
  const used = new Set<string>();
  const slugs = new Map<Webhook, string>();
  for (const w of webhooks) {
    const base = operationSlug(perName.get(w.name)! > 1 ? `${w.name}-${w.method}` : w.name) || 'webhook';
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    slugs.set(w, slug);
  }
  return slugs;
}

/** Where a webhook's page lives. */
export function hrefOfWebhook(version: DocsVersion, webhook: Webhook): string {
  return `${version.href}webhooks/${webhookSlugs(version).get(webhook) ?? operationSlug(webhook.name)}/`;
}

/** Builds a webhook page's data: what the API sends (headers, payload, examples) and the answers it expects. */
export function buildWebhookView(api: DocsApi, version: DocsVersion, webhook: Webhook): WebhookView {
  const doc = version.version.spec?.document ?? {};
  // The model keeps the body and responses; parameters (the headers the API sends) are read from the document.
  const item = resolveLocalRef<OpenApiObject>(doc, (isObject(doc.webhooks) ? doc.webhooks : {})[webhook.name]);
  const op = isObject(item) && isObject(item[webhook.method]) ? (item[webhook.method] as OpenApiObject) : {};
  const merged = new Map<string, OpenApiObject>();
  for (const raw of [...(Array.isArray(item?.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const p = resolveLocalRef<OpenApiObject>(doc, raw);
    if (isObject(p)) merged.set(`${String(p.in)}:${String(p.name)}`, p);
  }
  const params = [...merged.values()].map((p) => parameterView(doc, p));
  const body = resolveLocalRef<OpenApiObject>(doc, webhook.requestBody);
  const payload = isObject(body) ? { description: renderMarkdown(body.description as string | undefined), required: body.required === true, content: mediaViews(doc, body.content) } : undefined;
  const responses = responseViews(doc, webhook.responses);
  shareRepeatedTrees([
    { label: 'the payload', anchor: 'payload', content: payload?.content ?? [] },
    ...responses.map((r) => ({ label: `response ${r.status}`, anchor: `response-${r.status}`, content: r.content })),
  ]);
  return {
    name: webhook.name,
    method: webhook.method.toUpperCase(),
    operationId: webhook.operationId,
    title: webhook.summary ?? `${webhook.name} webhook`,
    summary: webhook.summary,
    description: renderMarkdown(webhook.description),
    deprecated: webhook.deprecated,
    parameters: LOCATIONS.map(([location, label]) => ({ location, label, parameters: params.filter((p) => p.in === location) })).filter((g) => g.parameters.length > 0),
    payload,
    responses,
    schemaBaseHref: `${version.href}schemas/`,
    otherVersions: api.versions.map((v) => {
      const same = v.version.webhooks.find((w) => w.name === webhook.name && w.method === webhook.method);
      return { name: v.version.name, release: v.version.release, href: same ? hrefOfWebhook(v, same) : v.href, current: v === version, deprecated: v.version.deprecated };
    }),
  };
}
