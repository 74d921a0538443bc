import type { Diagnostic } from './diagnostics.ts';

/** Where a resource or document was read from: a file relative to the content root, 1-based. */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
}

/** Identity of a Kubernetes resource in the content repo: `(group, kind, namespace, name)`. */
export interface ResourceId {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** A key that is unique within the catalog: `namespace/name`. References are bare names within one namespace. */
export type CatalogKey = string;

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A plain OpenAPI object (parameter, schema, response...) as it appears in the normalised 3.1 document. */
export type OpenApiObject = Record<string, unknown>;

/** OpenAPI Server Object, after `override.servers`. */
export interface Server {
  url: string;
  description?: string;
  variables?: Record<string, { default: string; enum?: string[]; description?: string }>;
}

/** One operation of an API version, in OpenAPI's own vocabulary. */
export interface Operation {
  method: HttpMethod;
  path: string;
  /** The spec's operationId, or one Portico derived from method and path (see `derivedOperationId`). */
  operationId: string;
  /** True when the spec had no operationId. */
  derivedOperationId: boolean;
  tags: string[];
  summary?: string;
  description?: string;
  /** Path-level and operation-level parameters merged (operation wins), each `$ref` resolved one level. */
  parameters: OpenApiObject[];
  requestBody?: OpenApiObject;
  responses: Record<string, OpenApiObject>;
  /** Effective security requirements: the operation's, or the document's default. */
  security: Array<Record<string, string[]>>;
  deprecated: boolean;
  /** Operation-level servers, when the spec declares them. */
  servers?: Server[];
  /** Names of the operation sets (from the CRD) this operation belongs to. */
  operationSets: string[];
  /** Source position of the operation in its spec file, for linting and "edit this page". */
  source: SourceRef;
}

/** An OpenAPI webhook (3.1 `webhooks`): an operation the API calls on the consumer. */
export interface Webhook {
  name: string;
  method: HttpMethod;
  operationId: string;
  summary?: string;
  description?: string;
  requestBody?: OpenApiObject;
  responses: Record<string, OpenApiObject>;
  deprecated: boolean;
}

/** Traefik Hub operation set matcher: at most one of path, pathPrefix, pathRegex, plus methods. */
export interface OperationMatcher {
  path?: string;
  pathPrefix?: string;
  pathRegex?: string;
  methods?: string[];
}

export interface OperationSet {
  name: string;
  matchers: OperationMatcher[];
}

/** Where a version's OpenAPI document came from. */
export type SpecOrigin =
  | { kind: 'path'; file: string; declaredPath: string }
  | { kind: 'url'; url: string; fromCache: boolean }
  | { kind: 'configmap'; configMap: CatalogKey; key: string; file: string }
  | { kind: 'none' };

/** The OpenAPI document of one API version, normalised to OpenAPI 3.1 with all external `$ref`s bundled in. */
export interface OpenApiDocument {
  /** The version the source declared: `2.0`, `3.0.3`, `3.1.0`... */
  sourceVersion: string;
  /** The normalised OpenAPI 3.1 document; internal `#/components/...` refs are kept. */
  document: OpenApiObject;
  /** SHA-256 over the document's source files: the build cache key. */
  contentHash: string;
  /** Files the document was built from (root first), relative to the content root. */
  files: string[];
}

export interface ApiVersion {
  /** The APIVersion resource's name, or the API's name when the API is not versioned. */
  name: string;
  /** Semantic version of this release (APIVersion `spec.release`, else the spec's `info.version`). */
  release: string;
  title: string;
  description?: string;
  deprecated: boolean;
  origin: SpecOrigin;
  spec?: OpenApiDocument;
  servers: Server[];
  operations: Operation[];
  webhooks: Webhook[];
  tags: Array<{ name: string; description?: string }>;
  /** Names of `components.schemas`. */
  schemaNames: string[];
  securitySchemes: Record<string, OpenApiObject>;
  operationSets: OperationSet[];
  source: SourceRef;
  /** The authentication the gateway enforces, when its configuration says (./gateway-auth.ts). */
  gatewayAuth?: GatewayAuth;
  /** Where `servers` came from when the spec had no usable one: the route or listen path (./route-servers.ts). */
  serversFrom?: { resource: string; source: SourceRef };
}

/** Authentication read from the gateway's configuration rather than the OpenAPI document. */
export interface GatewayAuth {
  /** The resource that says it, for people: `APIAuth team-a/default-auth`, `ApiDefinition default/httpbin`. */
  resource: string;
  source: SourceRef;
  /** The gateway lets every request through: no key needed. */
  keyless: boolean;
  /** The schemes it enforces, as OpenAPI security schemes (empty when keyless). */
  schemes: Record<string, OpenApiObject>;
  /** True when the spec declared no scheme, or others, so the normalised spec now carries these. */
  replacedSpec: boolean;
}

/** An API that is not a plain REST API, and what says so. */
export interface ApiFlavour {
  kind: 'ai' | 'mcp';
  /** The resource that makes it so, for people: `AIService traefik/ai-anthropic`, `Middleware apps/mcp`. */
  resource: string;
  /** What it leads to, in words: `Anthropic, model claude-3-haiku`. */
  detail?: string;
}

/** How a client picks a version of a versioned API: a header, a query parameter or a path segment. */
export interface VersionSelector {
  location: 'header' | 'query' | 'path';
  /** Header or query parameter name; absent for a path. */
  key?: string;
  /** The version used when a request names none. */
  defaultVersion?: string;
  /** Who says so, for people: `TykOasApiDefinition randomz/pets`. */
  resource: string;
  /** What a request sends to reach each version (header or query value, path prefix), by version name. */
  values: Record<string, string>;
}

/** Gateway-specific facts that the docs and the policy renderers need. */
export type GatewayInfo = { gateway: 'traefik-hub'; legacy: boolean } | { gateway: 'tyk'; flavour: 'oas' | 'classic'; listenPath?: string; upstreamUrl?: string; authentication?: string[] };

export interface CatalogApi {
  key: CatalogKey;
  id: ResourceId;
  title: string;
  description?: string;
  labels: Record<string, string>;
  gateway: GatewayInfo;
  /** Newest release first. */
  versions: ApiVersion[];
  source: SourceRef;
  /** How the gateway chooses among `versions`, when its configuration says. */
  versionSelector?: VersionSelector;
  /** Other keys this API answers to: Tyk OAS definitions folded into it as its versions. */
  aliases?: CatalogKey[];
  /** What kind of API this is, when not a plain REST API: a Traefik Hub AI gateway or MCP server. */
  flavour?: ApiFlavour;
}

/** A limit in one unit system: `requests` per `periodSeconds`. */
export interface Limit {
  requests: number;
  periodSeconds: number;
  /** Traefik Hub bucket: what the counter is shared by. */
  bucket?: 'subscription' | 'application-api' | 'application';
}

export interface CatalogPlan {
  key: CatalogKey;
  id: ResourceId;
  title: string;
  description?: string;
  rateLimit?: Limit;
  quota?: Limit;
  source: SourceRef;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export interface CatalogBundle {
  key: CatalogKey;
  id: ResourceId;
  title: string;
  /** APIs by name plus those the selector matched, resolved to keys. */
  apis: CatalogKey[];
  selector?: LabelSelector;
  source: SourceRef;
}

/** Who sees a catalog item: everyone, or members of some groups. */
export type Visibility = { everyone: true } | { everyone: false; groups: string[] };

export interface CatalogItem {
  key: CatalogKey;
  id: ResourceId;
  title: string;
  visibility: Visibility;
  /** Every API the item exposes: listed, selected, and through bundles. */
  apis: CatalogKey[];
  bundles: CatalogKey[];
  plan?: CatalogKey;
  /** Operation set names; empty means every operation. */
  operationFilter: string[];
  /** An item with a plan is offered for self-service. */
  selfService: boolean;
  /**
   * How a subscription is granted: at once (`instant`), or on a branch `portico/<request-id>` that an
   * admin merges (`pull-request`). Set with the annotation `portico.dev/approval`.
   */
  approval: ApprovalMode;
  source: SourceRef;
}

export type ApprovalMode = 'instant' | 'pull-request';

export interface CatalogPortal {
  key: CatalogKey;
  id: ResourceId;
  title: string;
  description?: string;
  logoUrl?: string;
  trustedUrls: string[];
  /** Catalog items in the portal's namespace. */
  items: CatalogKey[];
  source: SourceRef;
}

export interface CatalogApplication {
  key: CatalogKey;
  id: ResourceId;
  appId: string;
  owner: string;
  notes?: string;
  /** Key titles and the Secret names that hold them; values never enter the catalog. */
  apiKeys: Array<{ title?: string; secretName?: string; suspended: boolean; inline: boolean }>;
  source: SourceRef;
}

export interface CatalogSubscription {
  key: CatalogKey;
  id: ResourceId;
  appIds: string[];
  apis: CatalogKey[];
  bundles: CatalogKey[];
  plan: CatalogKey;
  operationFilter: string[];
  weight?: number;
  source: SourceRef;
}

/** A guide: a Traefik ContentItem or a Markdown file under `content/docs`. */
export interface CatalogGuide {
  slug: string;
  title: string;
  description?: string;
  order: number;
  /** Markdown; absent for a link-only ContentItem. */
  markdown?: string;
  link?: string;
  /** What the guide belongs to: a portal, an API, a bundle, or the whole site. */
  parent?: { kind: 'APIPortal' | 'API' | 'APIBundle'; key: CatalogKey };
  source: SourceRef;
}

/**
 * An API left out of the published site, because one of its own resources or documents has an error
 * (DESIGN.md section 3: one broken API never hides the others). `portico lint` still fails on it.
 */
export interface FailedApi {
  key: CatalogKey;
  id: ResourceId;
  source: SourceRef;
  /** Its errors: in its API (and APIVersion) resources, and in the OpenAPI documents it reads. */
  reasons: Diagnostic[];
}

/** Everything Portico made of a content repository. */
export interface Catalog {
  root: string;
  /** Every API read, including those in `failedApis`; `publishedCatalog` leaves those out. */
  apis: CatalogApi[];
  /** The APIs with errors of their own, which the site and the server leave out. */
  failedApis: FailedApi[];
  plans: CatalogPlan[];
  bundles: CatalogBundle[];
  items: CatalogItem[];
  portals: CatalogPortal[];
  applications: CatalogApplication[];
  subscriptions: CatalogSubscription[];
  guides: CatalogGuide[];
  /** Other Kubernetes documents kept only as reference targets (Service, Deployment, IngressRoute...). */
  references: Array<{ id: ResourceId; source: SourceRef; annotations: Record<string, string> }>;
  diagnostics: Diagnostic[];
  stats: { files: number; documents: number; specs: number; specsFromCache: number; operations: number };
  /** Every spec URL the content names (openApiSpec.url), fetched or not. */
  specUrls?: string[];
}
