import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import postgres from 'postgres';
import { measureBuild } from './build.ts';
import { freePort } from './portal-process.ts';
import type { BenchWork } from './work.ts';

/** The PostgreSQL server the benchmarks use (trust auth on loopback, as the tests). */
export const ADMIN_DATABASE_URL = process.env.PORTICO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ServerSite {
  contentDir: string;
  /** The build's data directory; `site/` in it is what every portal instance serves. */
  dataDir: string;
  siteDir: string;
  /** The port of the local upstream the relay benchmark calls; the content's echo API declares it. */
  upstreamPort: number;
}

/**
 * The site the server benchmarks run: the demo content plus an "echo" API whose only server is a
 * local upstream on a free port (allow-listed with PORTICO_RELAY_ALLOW when the portal starts).
 * Built once per bench run, not measured.
 */
export async function ensureServerSite(work: BenchWork): Promise<ServerSite> {
  if (work.serverSite) return work.serverSite;
  const contentDir = path.join(work.dir, 'server-content');
  const dataDir = path.join(work.dir, 'server-data');
  const upstreamPort = await freePort();
  rmSync(contentDir, { recursive: true, force: true });
  cpSync(path.join(work.root, 'content'), contentDir, { recursive: true });
  const dir = path.join(contentDir, 'clusters/production/logistics/apis/echo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'openapi.yaml'),
    [
      'openapi: 3.1.0',
      'info:',
      '  title: Echo',
      '  version: 1.0.0',
      '  description: A local upstream for the relay benchmark.',
      'servers:',
      `  - url: http://127.0.0.1:${upstreamPort}/echo`,
      'paths:',
      '  /ping:',
      '    get:',
      '      operationId: ping',
      '      summary: Answers with a small JSON document',
      '      responses:',
      "        '200':",
      '          description: The answer',
      '          content:',
      '            application/json:',
      '              schema:',
      '                type: object',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'api.yaml'),
    [
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: API',
      'metadata:',
      '  name: echo',
      '  namespace: logistics',
      'spec:',
      '  openApiSpec:',
      '    path: /openapi.yaml',
      '---',
      'apiVersion: hub.traefik.io/v1alpha1',
      'kind: APICatalogItem',
      'metadata:',
      '  name: echo-public',
      '  namespace: logistics',
      'spec:',
      '  everyone: true',
      '  apis:',
      '    - name: echo',
      '',
    ].join('\n'),
  );
  console.log('portico bench: building the demo site (+ a local echo API) for the server benchmarks');
  await measureBuild(work.root, contentDir, dataDir);
  work.serverSite = { contentDir, dataDir, siteDir: path.join(dataDir, 'site'), upstreamPort };
  return work.serverSite;
}

/** A PostgreSQL database of the benchmark's own, dropped by `drop()`. */
export async function createDatabase(name: string): Promise<{ url: string; sql: postgres.Sql; drop(): Promise<void> }> {
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** A bare repository with one commit on main: the GitOps remote of a provisioning run. */
export function createBareRemote(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir], { env: gitEnv });
  const seed = `${dir}-seed`;
  rmSync(seed, { recursive: true, force: true });
  mkdirSync(seed, { recursive: true });
  writeFileSync(path.join(seed, 'README.md'), '# GitOps repository of the provisioning benchmark\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: seed, env: gitEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=Portico bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '-m', 'Seed');
  git('push', '-q', dir, 'HEAD:refs/heads/main');
  rmSync(seed, { recursive: true, force: true });
  return dir;
}

/** Commits on main of a bare repository. */
export function commitCount(dir: string): number {
  return Number(execFileSync('git', ['rev-list', '--count', 'main'], { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim());
}

/** An age recipient for the run's Secrets (the cluster's key, in real life); the identity is thrown away. */
export async function benchAgeRecipient(): Promise<string> {
  return identityToRecipient(await generateIdentity());
}
