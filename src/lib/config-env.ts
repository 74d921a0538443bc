import { z } from 'zod';
import { DEFAULT_GATEWAYS } from './gitops/render/targets.ts';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Every setting Portico reads from the environment. Documented in the README; validated once at start-up. */
export const EnvSchema = z.object({
  /** Port the portal listens on. */
  PORT: z.coerce.number().int().min(1).max(65535).default(4321),
  /** Interface the portal listens on. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the embedded database, the local Git remote and caches live. */
  PORTICO_DATA_DIR: z.string().min(1).default('.data'),
  /** The GitOps content root: CRDs, OpenAPI documents, guides. */
  PORTICO_CONTENT_DIR: z.string().min(1).default('content'),
  /** A PostgreSQL server (postgres://...) instead of the embedded PGlite database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** The URL people use to reach the portal; links, cookies and origin checks use it. */
  PORTICO_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** Never fetch openApiSpec.url at build time; use the copies kept in the cache. */
  PORTICO_OFFLINE: booleanFlag,
  /** Comma-separated emails of admins (the platform team). */
  PORTICO_ADMIN_EMAILS: z.string().optional(),
  /** Comma-separated groups whose members are admins. */
  PORTICO_ADMIN_GROUPS: z.string().optional(),
  /** OpenID Connect sign-in: issuer URL, client id and secret (all three, or none). */
  PORTICO_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be the issuer URL, http:// or https://' }).optional(),
  PORTICO_OIDC_CLIENT_ID: z.string().min(1).optional(),
  PORTICO_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID-token claim that lists a person's groups. */
  PORTICO_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** Scopes asked of the identity provider; add the one that releases the groups claim if it needs one. */
  PORTICO_OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** What the sign-in button calls the identity provider. */
  PORTICO_OIDC_NAME: z.string().min(1).default('single sign-on'),
  /** GitHub sign-in (an OAuth app): client id and secret. */
  PORTICO_GITHUB_CLIENT_ID: z.string().min(1).optional(),
  PORTICO_GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  /** An SMTP server for mail (smtp:// or smtps://); without it mail stays in the local outbox. */
  PORTICO_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  PORTICO_MAIL_FROM: z.string().min(3).default('Portico <portal@localhost>'),
  /** The GitOps remote grants are committed to; by default a bare repository in the data directory, seeded from the content. */
  PORTICO_GIT_URL: z.string().min(1).optional(),
  PORTICO_GIT_BRANCH: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'must be a branch name')
    .default('main'),
  /** The folder in that repository where Portico writes (and only there). */
  PORTICO_GIT_DIRECTORY: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative folder such as consumers')
    .refine((v) => !v.split('/').some((part) => part === '.' || part === '..'), 'must be a relative folder such as consumers, without . or ..')
    .default('consumers'),
  /** HTTPS token for the remote; never logged. */
  PORTICO_GIT_TOKEN: z.string().min(1).optional(),
  /** Whether `portico serve` follows a Git branch for its docs (on by default when a remote is configured); decision record 19. */
  PORTICO_DOCS_FOLLOW: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  /** The repository the docs are read from, when not the one grants are committed to (PORTICO_GIT_URL). */
  PORTICO_DOCS_GIT_URL: z.string().min(1).optional(),
  /** Its branch; by default PORTICO_GIT_BRANCH. */
  PORTICO_DOCS_GIT_BRANCH: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'must be a branch name')
    .optional(),
  /** The folder of that repository that holds the content; by default its root. */
  PORTICO_DOCS_GIT_PATH: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative folder such as content')
    .refine((v) => !v.split('/').some((part) => part === '..'), 'must be a folder inside the repository, without ..')
    .optional(),
  /** HTTPS token for the docs repository; by default PORTICO_GIT_TOKEN when it is the same repository. Never logged. */
  PORTICO_DOCS_GIT_TOKEN: z.string().min(1).optional(),
  /** How often (seconds) the branch is checked for new commits. */
  PORTICO_DOCS_POLL_SECONDS: z.coerce.number().min(1).max(86400).default(60),
  /** The shared secret of the push webhook (GitHub, GitLab, Gitea); without it the webhook is off. */
  PORTICO_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** age recipients (age1..., comma-separated) that Secrets for Traefik Hub are encrypted for: the cluster's Flux key. */
  PORTICO_AGE_RECIPIENTS: z.string().optional(),
  /** How the Secret holding a key for Traefik Hub is committed: sops-age (Flux decrypts it) or sealed-secret (Bitnami's controller unseals it). */
  PORTICO_SECRET_FORMAT: z.enum(['sops-age', 'sealed-secret'], { error: 'must be sops-age or sealed-secret' }).default('sops-age'),
  /** With sealed-secret: the sealing certificate file (`kubeseal --fetch-cert > cert.pem`) or the controller's RSA public key, PEM. */
  PORTICO_SEALING_CERT: z.string().min(1).optional(),
  /** Gateway targets to render, comma-separated: traefik-hub, haproxy, kong (src/lib/gitops/render/targets.ts). */
  PORTICO_GATEWAYS: z.string().default(DEFAULT_GATEWAYS.join(',')),
  /** The ingress class the Kong Ingress Controller watches; Portico's KongConsumers carry it (docs/gateways/kong.md). */
  PORTICO_KONG_INGRESS_CLASS: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be an ingress class name such as kong')
    .default('kong'),
  /** First part of every API key: 2 to 10 lower-case letters. */
  PORTICO_KEY_PREFIX: z
    .string()
    .regex(/^[a-z]{2,10}$/, 'must be 2 to 10 lower-case letters')
    .default('ptc'),
  /** host:port pairs the try-it relay may call although they are private or loopback (the demo's gateway). */
  PORTICO_RELAY_ALLOW: z.string().default('localhost:8080,127.0.0.1:8080'),
  /**
   * `host:port` pairs (or hosts, any port) that `openApiSpec.url` may be fetched from although they
   * are private, loopback or reserved addresses; none by default (build-time SSRF, issue 14).
   */
  PORTICO_SPEC_URL_ALLOW: z.string().default(''),
  /** The largest document `openApiSpec.url` may answer, in bytes (50 MiB: Microsoft Graph beta is 47 MB). */
  PORTICO_SPEC_URL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  /**
   * Where the demo gateway answers when it is not http://localhost:8080, the address the demo content
   * gives it: servers there are shown and called at this address instead. `npm start` sets it from
   * PORTICO_GATEWAY_PORT.
   */
  PORTICO_DEMO_GATEWAY_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((v) => {
      const url = URL.parse(v);
      return !!url && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
    }, 'must be a scheme, host and port only, such as http://localhost:9090')
    .optional(),
  /** Seconds between two passes of the Git writer and reconciler (a change wakes the writer at once). */
  PORTICO_GIT_INTERVAL: z.coerce.number().min(1).max(3600).default(30),
  /** When set, /metrics answers only `Authorization: Bearer <this token>`; never logged. */
  PORTICO_METRICS_TOKEN: z
    .string()
    .regex(/^\S+$/, 'must be one word, without spaces')
    .min(16, 'must be at least 16 characters (a long random string, such as the output of openssl rand -hex 32)')
    .optional(),
  /** Sign-ups allowed per client address and hour. */
  PORTICO_SIGNUPS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** Mails (confirmation, reset) per recipient and hour; four times as many per client address. */
  PORTICO_MAILS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  /** Personal access tokens an account may create per hour. */
  PORTICO_TOKENS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** Applications one account may have. */
  PORTICO_MAX_APPLICATIONS: z.coerce.number().int().min(1).default(20),
  /** Keys (not revoked) one application may have. */
  PORTICO_MAX_KEYS_PER_APPLICATION: z.coerce.number().int().min(1).default(10),
  /** Whether a key needs a confirmed email address (default yes; 0 lets unconfirmed accounts have keys). */
  PORTICO_KEYS_NEED_CONFIRMED_EMAIL: z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be 1 or 0' })
    .default('1')
    .transform((v) => v === '1' || v === 'true' || v === 'yes'),
  /** The cluster (its folder, e.g. clusters/production) a repository of several is documented for; decision record 11. */
  PORTICO_CLUSTER: z
    .string()
    .regex(/^[A-Za-z0-9._/-]+$/, 'must be a cluster folder such as clusters/production')
    .optional(),
  /** The kustomize (or kubectl) binary that renders kustomizations; by default kustomize, else kubectl, on the PATH. */
  PORTICO_KUSTOMIZE: z.string().min(1).optional(),
  /** How many portal processes share the database; more than one needs DATABASE_URL (PGlite belongs to one process). */
  PORTICO_REPLICAS: z.coerce.number().int().min(1).max(1000).default(1),
  /** How the server writes its log: json (one object per line, for log shippers) or pretty (for a terminal). */
  PORTICO_LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
});

/** The settings, as EnvSchema reads them. */
export type Env = z.infer<typeof EnvSchema>;
