import path from 'node:path';
import { z } from 'zod';
import { PorticoError } from './errors.ts';

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
}

/**
 * Reads and validates the configuration from `env`.
 * Throws a PorticoError that names every wrong setting, so the server never starts half-configured.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const relevant = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' && k !== 'PORTICO_OFFLINE' ? undefined : env[k]]));
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(relevant[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new PorticoError(`invalid configuration:\n  ${lines.join('\n  ')}`, 'fix the environment variables above (see Configuration in the README)');
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.PORTICO_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    contentDir: path.resolve(cwd, e.PORTICO_CONTENT_DIR),
    cacheDir: path.join(dataDir, 'cache'),
    databaseUrl: e.DATABASE_URL,
    publicUrl: (e.PORTICO_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    offline: e.PORTICO_OFFLINE,
  };
}
