import type { OpenApiObject, Operation, Server } from '../catalog/model.ts';
import { expandServer } from '../relay/relay.ts';
import { formFieldsOf } from './code-samples.ts';

/** How the Try it panel sends a key: the scheme of the first requirement a portal key can meet. */
export type TryItAuth = { kind: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string } | { kind: 'bearer' } | { kind: 'basic' };

/** A parameter as the panel offers it: a text field pre-filled from the spec's example, or a choice of its allowed values. */
export interface TryItParameter {
  name: string;
  in: string;
  required: boolean;
  value: string;
  /** The enum's values as text, when the schema allows only those (a select instead of a text field). */
  options?: string[];
}

/**
 * What the Try it panel of one operation needs, embedded in the page (so it stays small: the
 * panel's code loads only when someone opens it, and asks the portal for nothing about the spec).
 */
export interface TryItSpec {
  /** Catalog key of the API (`namespace/name`): what a subscription's `apis` lists. */
  api: string;
  apiTitle: string;
  method: string;
  path: string;
  /** Concrete server URLs (variables expanded), exactly those the relay accepts. */
  servers: string[];
  parameters: TryItParameter[];
  body?: { mediaType: string; value: string; required: boolean; tooLarge?: true };
  /** How a key is sent; absent when the operation needs no credentials a key can give. */
  auth?: TryItAuth;
  /** The operation also answers without credentials. */
  anonymous: boolean;
  /** Operation sets the operation belongs to: a plan with an operation filter covers it only through these. */
  operationSets: string[];
}

const MAX_BODY_CHARS = 16_000;
const MAX_SERVERS = 20;

const MAX_OPTIONS = 100;

/** An enum's values (JSON, as the page shows them) as the options of a select; none for a long or structured enum. */
export function enumOptions(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0 || values.length > MAX_OPTIONS) return undefined;
  const texts: string[] = [];
  for (const json of values) {
    try {
      const value: unknown = JSON.parse(json);
      if (value !== null && typeof value === 'object') return undefined;
    } catch {
      return undefined;
    }
    texts.push(parameterText(json));
  }
  return [...new Set(texts)];
}

/** A parameter's example, default or first allowed value (as the page shows them, JSON) as the text a person would type. */
export function parameterText(json: string | undefined): string {
  if (json === undefined) return '';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(',');
  return JSON.stringify(value);
}

/** A body example as text: JSON (compact here; the panel indents it), form fields, or the text itself. */
export function bodyText(mediaType: string, value: unknown): string {
  if (/json/i.test(mediaType)) return JSON.stringify(value ?? {});
  // Nested values in brackets (`metadata[order_id]=6735`), as the code samples send them: JSON inside a form field is what no form API reads.
  if (/x-www-form-urlencoded/i.test(mediaType) && value !== null && typeof value === 'object' && !Array.isArray(value)) return new URLSearchParams(formFieldsOf(value)).toString();
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * The credential the panel asks for. A portal key is an API key, so a requirement that an API key
 * meets on its own comes first; then bearer-style schemes (a token), then HTTP Basic.
 */
export function tryItAuth(security: Array<Record<string, string[]>>, schemes: Record<string, OpenApiObject>): TryItAuth | undefined {
  const single = security
    .filter((req) => Object.keys(req).length === 1)
    .map((req) => schemes[Object.keys(req)[0]!])
    .filter((s): s is OpenApiObject => s !== undefined);
  const apiKey = single.find((s) => s.type === 'apiKey');
  if (apiKey) return { kind: 'apiKey', in: apiKey.in === 'query' ? 'query' : apiKey.in === 'cookie' ? 'cookie' : 'header', name: String(apiKey.name ?? 'X-API-Key') };
  const bearer = single.find((s) => (s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer') || s.type === 'oauth2' || s.type === 'openIdConnect');
  if (bearer) return { kind: 'bearer' };
  if (single.some((s) => s.type === 'http' && String(s.scheme).toLowerCase() === 'basic')) return { kind: 'basic' };
  return undefined;
}

/** Builds the Try it panel's data for one operation; undefined when the API declares no server the browser could reach. */
export function buildTryItSpec(input: {
  api: { key: string; title: string };
  operation: Operation;
  servers: Server[];
  schemes: Record<string, OpenApiObject>;
  parameters: Array<{ name: string; in: string; required: boolean; example?: string; default?: string; enum?: string[] }>;
  body?: { mediaType: string; value: unknown; required: boolean };
}): TryItSpec | undefined {
  const { operation: op } = input;
  const servers = [...new Set((op.servers ?? input.servers).flatMap(expandServer).map((u) => u.replace(/\/+$/, '')))].filter((u) => /^https?:\/\//i.test(u)).slice(0, MAX_SERVERS);
  if (servers.length === 0) return undefined;
  const auth = tryItAuth(op.security, input.schemes);
  const body = input.body ? { mediaType: input.body.mediaType, value: bodyText(input.body.mediaType, input.body.value), required: input.body.required } : undefined;
  return {
    api: input.api.key,
    apiTitle: input.api.title,
    method: op.method.toUpperCase(),
    path: op.path,
    servers,
    parameters: input.parameters.map((p) => {
      const options = enumOptions(p.enum);
      return { name: p.name, in: p.in, required: p.required, value: parameterText(p.example ?? p.default ?? p.enum?.[0]), ...(options ? { options } : {}) };
    }),
    ...(body ? { body: body.value.length > MAX_BODY_CHARS ? { ...body, value: '', tooLarge: true as const } : body } : {}),
    ...(auth ? { auth } : {}),
    anonymous: op.security.length === 0 || op.security.some((req) => Object.keys(req).length === 0),
    operationSets: op.operationSets,
  };
}
