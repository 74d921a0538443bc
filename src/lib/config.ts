import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PorticoError } from './errors.ts';
import { DEFAULT_GATEWAYS, GATEWAY_NAMES, GATEWAY_SETTINGS, gatewayTargets, keySecretTarget } from './gitops/render/targets.ts';
import { ageRecipientProblem } from './gitops/secrets/age-recipient.ts';
import { sealingKeyFrom } from './gitops/secrets/sealed-secret.ts';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Every setting Portico reads from the environment. Documented in the README; validated once at start-up. */
const EnvSchema = z.object({
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

/** Portico's configuration, with paths made absolute. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  contentDir: string;
  cacheDir: string;
  databaseUrl?: string;
  publicUrl: string;
  offline: boolean;
  adminEmails: string[];
  adminGroups: string[];
  oidc?: { issuer: string; clientId: string; clientSecret: string; groupsClaim: string; scopes: string; name: string };
  github?: { clientId: string; clientSecret: string };
  smtpUrl?: string;
  mailFrom: string;
  git: { url?: string; branch: string; directory: string; token?: string; intervalSeconds: number };
  /** Where `portico serve` reads its docs from when it follows a branch; undefined when it does not (decision record 19). */
  docs?: { url: string; branch: string; path: string; token?: string; pollSeconds: number; webhookSecret?: string };
  /** The configured gateway targets' names (src/lib/gitops/render/targets.ts). */
  gateways: string[];
  /** The settings the configured gateway targets read, by name (a target's `settings`). */
  gatewaySettings: Record<string, string>;
  /** Recipients for SOPS; empty with the embedded remote, where the portal makes a demo identity. */
  ageRecipients: string[];
  /** How keys for Traefik Hub are encrypted into Git; with sealed-secret, the sealing certificate (PEM text). */
  secrets: { format: 'sops-age' } | { format: 'sealed-secret'; certificatePem: string; certificateFile: string };
  keyPrefix: string;
  /** Where the demo gateway answers, when not at the demo content's http://localhost:8080 (an origin); see catalog/demo-servers.ts. */
  demoGatewayUrl?: string;
  /** `host:port` pairs the relay may call although private or loopback; the demo gateway's is always among them. */
  relayAllowPrivate: string[];
  /** The bearer token /metrics requires; undefined leaves /metrics open (it shows counts only). */
  metricsToken?: string;
  logFormat: 'json' | 'pretty';
  /** Rate limits of the routes that send mail or create things, and caps per account. */
  limits: { signupsPerHour: number; mailsPerHour: number; tokensPerHour: number; applicationsPerAccount: number; keysPerApplication: number; keysNeedConfirmedEmail: boolean };
}

/** What fetching `openApiSpec.url` may reach, and how much it may read. */
export interface SpecUrlSettings {
  /** Normalised PORTICO_SPEC_URL_ALLOW entries. */
  allow: Set<string>;
  maxBytes: number;
}

/**
 * The settings of build-time `openApiSpec.url` fetches. Read where the catalog is loaded (the
 * build, `portico lint` and `portico catalog`), which may run without the server's configuration;
 * the same schema validates them when the portal starts.
 */
export function specUrlSettings(env: Record<string, string | undefined> = process.env): SpecUrlSettings {
  const shape = EnvSchema.pick({ PORTICO_SPEC_URL_ALLOW: true, PORTICO_SPEC_URL_MAX_BYTES: true });
  const parsed = shape.safeParse({ PORTICO_SPEC_URL_ALLOW: env.PORTICO_SPEC_URL_ALLOW || undefined, PORTICO_SPEC_URL_MAX_BYTES: env.PORTICO_SPEC_URL_MAX_BYTES || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PorticoError(
      `invalid configuration: ${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])] ?? '')}: ${issue.message}`,
      'PORTICO_SPEC_URL_MAX_BYTES is a number of bytes, such as 52428800',
    );
  }
  return { allow: new Set(list(parsed.data.PORTICO_SPEC_URL_ALLOW).map((x) => x.toLowerCase())), maxBytes: parsed.data.PORTICO_SPEC_URL_MAX_BYTES };
}

/** How the content repository is read: which cluster, which kustomize, and the portal's own folder. Read where the catalog is loaded, like specUrlSettings. */
export function repositorySettings(env: Record<string, string | undefined> = process.env): { cluster?: string; kustomize?: string; portalFolder: string } {
  const shape = EnvSchema.pick({ PORTICO_CLUSTER: true, PORTICO_KUSTOMIZE: true, PORTICO_GIT_DIRECTORY: true });
  const parsed = shape.safeParse({
    PORTICO_CLUSTER: env.PORTICO_CLUSTER || undefined,
    PORTICO_KUSTOMIZE: env.PORTICO_KUSTOMIZE || undefined,
    PORTICO_GIT_DIRECTORY: env.PORTICO_GIT_DIRECTORY || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PorticoError(`invalid configuration: ${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])] ?? '')}: ${issue.message}`, 'see Configuration in the README');
  }
  return { cluster: parsed.data.PORTICO_CLUSTER, kustomize: parsed.data.PORTICO_KUSTOMIZE, portalFolder: parsed.data.PORTICO_GIT_DIRECTORY };
}

/** Settings read outside loadConfig (src/lib/gateway/settings.ts), which may come from files too. */
const OTHER_SETTINGS = ['PORTICO_GATEWAY_PORT', 'PORTICO_HAPROXY_BIN'];

/**
 * Reads `NAME_FILE` settings: for each Portico setting NAME, a file whose content (trimmed) is
 * NAME's value, as Kubernetes and Docker mount Secrets. Returns the environment with those values
 * in place of the `_FILE` entries; throws, naming the setting, when a file cannot be read or when
 * both NAME and NAME_FILE are set (which one wins would be a guess).
 */
export function readSettingFiles(env: Record<string, string | undefined>, cwd = process.cwd()): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of [...Object.keys(EnvSchema.shape), ...OTHER_SETTINGS]) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new PorticoError(`invalid configuration: ${name} and ${name}_FILE are both set`, `keep one: ${name}_FILE (a file holding the value, such as a mounted Secret) or ${name}`);
    }
    const resolved = path.resolve(cwd, file);
    let value: string;
    try {
      value = readFileSync(resolved, 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
      throw new PorticoError(
        `invalid configuration: ${name}_FILE=${resolved}: cannot read ${name} from it: ${why}`,
        `mount the Secret or file there, readable by the user Portico runs as, or set ${name} itself`,
      );
    }
    if (!value) throw new PorticoError(`invalid configuration: ${name}_FILE=${resolved}: the file is empty`, `put ${name}'s value in it`);
    out[name] = value;
    delete out[`${name}_FILE`];
  }
  return out;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The branch the docs follow: the docs repository if one is set, else the grants' remote; none with follow off or no remote. */
function docsSource(e: z.infer<typeof EnvSchema>): Config['docs'] {
  const url = e.PORTICO_DOCS_GIT_URL ?? e.PORTICO_GIT_URL;
  if (e.PORTICO_DOCS_FOLLOW === 'off' || !url) return undefined;
  const sameRepository = !e.PORTICO_DOCS_GIT_URL || e.PORTICO_DOCS_GIT_URL === e.PORTICO_GIT_URL;
  return {
    url,
    branch: e.PORTICO_DOCS_GIT_BRANCH ?? e.PORTICO_GIT_BRANCH,
    path: e.PORTICO_DOCS_GIT_PATH ?? '.',
    token: e.PORTICO_DOCS_GIT_TOKEN ?? (sameRepository ? e.PORTICO_GIT_TOKEN : undefined),
    pollSeconds: e.PORTICO_DOCS_POLL_SECONDS,
    webhookSecret: e.PORTICO_WEBHOOK_SECRET,
  };
}

/**
 * Reads and validates the configuration from `env`.
 * Throws a PorticoError that names every wrong setting, so the server never starts half-configured.
 */
export function loadConfig(givenEnv: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const env = readSettingFiles(givenEnv, cwd);
  const relevant = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' && k !== 'PORTICO_OFFLINE' ? undefined : env[k]]));
  // Secrets are never echoed back in a message, nor anything read from a file (a mounted Secret).
  const shown = (k: string) => (givenEnv[`${k}_FILE`] ? `(read from ${k}_FILE)` : /SECRET|PASSWORD|TOKEN/.test(k) && k !== 'PORTICO_SECRET_FORMAT' ? '***' : JSON.stringify(relevant[k] ?? ''));
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}=${shown(String(i.path[0]))}: ${i.message}`);
    throw new PorticoError(`invalid configuration:\n  ${lines.join('\n  ')}`, 'fix the environment variables above (see Configuration in the README)');
  }
  const e = parsed.data;
  if (e.PORTICO_REPLICAS > 1 && !e.DATABASE_URL) {
    throw new PorticoError(
      `invalid configuration: PORTICO_REPLICAS=${e.PORTICO_REPLICAS} needs DATABASE_URL: the embedded PGlite database belongs to one process, so replicas cannot share it`,
      'set DATABASE_URL to the PostgreSQL server (postgres://...) every replica uses, or run one replica',
    );
  }
  const oidcSet = [e.PORTICO_OIDC_ISSUER, e.PORTICO_OIDC_CLIENT_ID, e.PORTICO_OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    throw new PorticoError('invalid configuration: PORTICO_OIDC_ISSUER, PORTICO_OIDC_CLIENT_ID and PORTICO_OIDC_CLIENT_SECRET go together; set all three or none', 'see Configuration in the README');
  }
  if (!!e.PORTICO_GITHUB_CLIENT_ID !== !!e.PORTICO_GITHUB_CLIENT_SECRET) {
    throw new PorticoError('invalid configuration: PORTICO_GITHUB_CLIENT_ID and PORTICO_GITHUB_CLIENT_SECRET go together', 'see Configuration in the README');
  }
  const gateways = list(e.PORTICO_GATEWAYS);
  const unknownGateway = gateways.find((g) => !GATEWAY_NAMES.includes(g));
  if (unknownGateway) {
    throw new PorticoError(
      `invalid configuration: PORTICO_GATEWAYS names "${unknownGateway}"; the gateways are ${GATEWAY_NAMES.slice(0, -1).join(', ')} and ${GATEWAY_NAMES.at(-1)}`,
      'see Configuration in the README',
    );
  }
  const targets = gatewayTargets(gateways);
  // One encrypted Secret is made per key, for the one gateway that needs the key itself.
  const needKey = targets.filter((t) => t.credential === 'key');
  if (needKey.length > 1) {
    throw new PorticoError(
      `invalid configuration: PORTICO_GATEWAYS names ${needKey.map((t) => t.name).join(' and ')}, which both need the key itself in a Secret of the same name`,
      'keep one of them in PORTICO_GATEWAYS; haproxy, which needs only a hash, goes with either',
    );
  }
  const keyTarget = keySecretTarget(targets);
  const ageRecipients = list(e.PORTICO_AGE_RECIPIENTS);
  for (const recipient of ageRecipients) {
    const problem = ageRecipientProblem(recipient);
    if (problem) throw new PorticoError(`invalid configuration: PORTICO_AGE_RECIPIENTS has "${recipient}", ${problem}`, 'use the public key from age-keygen, the one Flux decrypts with');
  }
  let secrets: Config['secrets'] = { format: 'sops-age' };
  if (e.PORTICO_SECRET_FORMAT === 'sealed-secret') {
    if (!e.PORTICO_SEALING_CERT)
      throw new PorticoError(
        'invalid configuration: PORTICO_SECRET_FORMAT=sealed-secret needs PORTICO_SEALING_CERT, the sealing certificate file',
        'fetch it with kubeseal --fetch-cert > sealing-cert.pem',
      );
    const file = path.resolve(cwd, e.PORTICO_SEALING_CERT);
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
      sealingKeyFrom(pem);
    } catch (err) {
      throw new PorticoError(
        `invalid configuration: PORTICO_SEALING_CERT=${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        'give the PEM certificate of your sealed-secrets controller (kubeseal --fetch-cert)',
      );
    }
    secrets = { format: 'sealed-secret', certificatePem: pem, certificateFile: file };
  } else if (e.PORTICO_SEALING_CERT) {
    throw new PorticoError(
      'invalid configuration: PORTICO_SEALING_CERT is set but PORTICO_SECRET_FORMAT is not sealed-secret',
      'set PORTICO_SECRET_FORMAT=sealed-secret, or drop PORTICO_SEALING_CERT',
    );
  }
  if (e.PORTICO_GIT_URL && keyTarget && secrets.format === 'sops-age' && ageRecipients.length === 0) {
    throw new PorticoError(
      `invalid configuration: with PORTICO_GIT_URL and the ${keyTarget.name} gateway, set PORTICO_AGE_RECIPIENTS to the age key your cluster decrypts Secrets with`,
      `without it the portal could only encrypt keys for itself, and Flux could not read them; or leave ${keyTarget.name} out of PORTICO_GATEWAYS`,
    );
  }
  const settings = e as unknown as Record<string, string | undefined>;
  const gatewaySettings = Object.fromEntries(GATEWAY_SETTINGS.filter((s) => targets.some((t) => t.settings.includes(s)) && settings[s] !== undefined).map((s) => [s, settings[s]!]));
  const dataDir = path.resolve(cwd, e.PORTICO_DATA_DIR);
  const demoGateway = e.PORTICO_DEMO_GATEWAY_URL ? new URL(e.PORTICO_DEMO_GATEWAY_URL) : undefined;
  // The portal runs the demo gateway itself: the relay may call it wherever it listens.
  const demoGatewayHost = demoGateway && `${demoGateway.hostname}:${demoGateway.port || (demoGateway.protocol === 'https:' ? '443' : '80')}`;
  const relayAllowPrivate = list(e.PORTICO_RELAY_ALLOW);
  if (demoGatewayHost && !relayAllowPrivate.includes(demoGatewayHost)) relayAllowPrivate.push(demoGatewayHost);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    contentDir: path.resolve(cwd, e.PORTICO_CONTENT_DIR),
    cacheDir: path.join(dataDir, 'cache'),
    databaseUrl: e.DATABASE_URL,
    publicUrl: (e.PORTICO_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    offline: e.PORTICO_OFFLINE,
    adminEmails: list(e.PORTICO_ADMIN_EMAILS).map((x) => x.toLowerCase()),
    adminGroups: list(e.PORTICO_ADMIN_GROUPS),
    oidc: e.PORTICO_OIDC_ISSUER
      ? {
          issuer: e.PORTICO_OIDC_ISSUER,
          clientId: e.PORTICO_OIDC_CLIENT_ID!,
          clientSecret: e.PORTICO_OIDC_CLIENT_SECRET!,
          groupsClaim: e.PORTICO_OIDC_GROUPS_CLAIM,
          scopes: e.PORTICO_OIDC_SCOPES,
          name: e.PORTICO_OIDC_NAME,
        }
      : undefined,
    github: e.PORTICO_GITHUB_CLIENT_ID ? { clientId: e.PORTICO_GITHUB_CLIENT_ID, clientSecret: e.PORTICO_GITHUB_CLIENT_SECRET! } : undefined,
    smtpUrl: e.PORTICO_SMTP_URL,
    mailFrom: e.PORTICO_MAIL_FROM,
    git: { url: e.PORTICO_GIT_URL, branch: e.PORTICO_GIT_BRANCH, directory: e.PORTICO_GIT_DIRECTORY, token: e.PORTICO_GIT_TOKEN, intervalSeconds: e.PORTICO_GIT_INTERVAL },
    docs: docsSource(e),
    gateways,
    gatewaySettings,
    ageRecipients,
    secrets,
    keyPrefix: e.PORTICO_KEY_PREFIX,
    demoGatewayUrl: demoGateway?.origin,
    relayAllowPrivate,
    metricsToken: e.PORTICO_METRICS_TOKEN,
    logFormat: e.PORTICO_LOG_FORMAT,
    limits: {
      signupsPerHour: e.PORTICO_SIGNUPS_PER_HOUR,
      mailsPerHour: e.PORTICO_MAILS_PER_HOUR,
      tokensPerHour: e.PORTICO_TOKENS_PER_HOUR,
      applicationsPerAccount: e.PORTICO_MAX_APPLICATIONS,
      keysPerApplication: e.PORTICO_MAX_KEYS_PER_APPLICATION,
      keysNeedConfirmedEmail: e.PORTICO_KEYS_NEED_CONFIRMED_EMAIL,
    },
  };
}
