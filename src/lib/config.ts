import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EnvSchema, type Env } from './config-env.ts';
import { PorticoError } from './errors.ts';
import { GATEWAY_NAMES, GATEWAY_SETTINGS, gatewayTargets, keySecretTarget } from './gitops/render/targets.ts';
import { ageRecipientProblem } from './gitops/secrets/age-recipient.ts';
import { sealingKeyFrom } from './gitops/secrets/sealed-secret.ts';

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
function docsSource(e: Env): Config['docs'] {
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
