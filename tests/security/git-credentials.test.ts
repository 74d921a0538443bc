import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalRemote, GitError, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { publishRendered } from '../../src/lib/gitops/publish.ts';
import { projectRoot } from '../support/portal.ts';

/*
 * The Git token and the portal's other secrets stay out of reach of other local users and of git's
 * own helpers. Any user can read a process's arguments (ps, /proc/<pid>/cmdline), so the token must
 * not be one; and git, its hooks and its SSH or credential helpers get only the environment git needs.
 * A `git` wrapper first on PATH records what each real git process was given, then runs the real git.
 */

const TOKEN = 'ghp_Token0For0Portico0Tests0Only0xyz';
const SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://portico:db-password-for-tests@127.0.0.1:5432/portico',
  PORTICO_OIDC_CLIENT_SECRET: 'oidc-client-secret-for-tests',
  PORTICO_GITHUB_CLIENT_SECRET: 'github-client-secret-for-tests',
  PORTICO_GIT_TOKEN: TOKEN,
  AWS_SECRET_ACCESS_KEY: 'aws-secret-for-tests',
};
const author = { name: 'Portico', email: 'portico@localhost' };
const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

const work = mkdtempSync(path.join(tmpdir(), 'portico-git-credentials-'));
const logDir = path.join(work, 'log');
const wrapperDir = path.join(work, 'bin');
const savedEnv = { ...process.env };

/** One recorded git process: its arguments and its environment. */
interface Recorded {
  argv: string[];
  env: Map<string, string>;
}

function recorded(): Recorded[] {
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.argv'))
    .map((f) => {
      const argv = readFileSync(path.join(logDir, f), 'utf8').split('\0').slice(0, -1);
      const env = new Map(
        readFileSync(path.join(logDir, f.replace(/\.argv$/, '.env')), 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((line) => {
            const at = line.indexOf('=');
            return [line.slice(0, at), line.slice(at + 1)] as [string, string];
          }),
      );
      return { argv, env };
    });
}

function clearLog(): void {
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir);
}

let server: Server;
let port = 0;
const authorizations: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  mkdirSync(wrapperDir);
  // The paths are written into the script: the wrapper sees only the environment Portico gives git.
  writeFileSync(path.join(wrapperDir, 'git'), `#!/bin/sh\nprintf '%s\\0' "$@" > '${logDir}'/$$.argv\n/usr/bin/env -0 > '${logDir}'/$$.env\nexec '${realGit}' "$@"\n`);
  chmodSync(path.join(wrapperDir, 'git'), 0o755);
  clearLog();
  process.env.PATH = `${wrapperDir}:${process.env.PATH}`;
  Object.assign(process.env, SECRETS);

  // A Git host that asks for credentials: it records the Authorization header of each request.
  server = createServer((req, res) => {
    authorizations.push({ url: req.url!, authorization: req.headers.authorization });
    res.writeHead(401, { 'www-authenticate': 'Basic realm="portico-test"', 'content-type': 'text/plain' }).end('authentication required\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  process.env = savedEnv;
  await new Promise((resolve) => server?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('the Git token and the portal secrets', () => {
  it('a commit pushed with a token configured: no git process gets the token as an argument, or the portal secrets in its environment', async () => {
    const bare = await ensureLocalRemote(path.join(work, 'remote.git'), path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'));
    clearLog();
    const workspace = new GitWorkspace(path.join(work, 'workspace'), { url: bare, branch: 'main', token: TOKEN, author });
    const result = await publishRendered(workspace, 'portico', () => new Map([['grant.yaml', 'kind: Grant\n']]), 'Grant access', { 'Portico-Request': 'req-1' });
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    // The push really happened: the remote's branch is the new commit.
    expect(execFileSync('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/main'], { encoding: 'utf8', env: savedEnv }).trim()).toBe(result.commit);

    const runs = recorded();
    expect(
      runs.some((r) => r.argv.includes('fetch')),
      'the wrapper saw the fetch',
    ).toBe(true);
    expect(
      runs.some((r) => r.argv.includes('push')),
      'the wrapper saw the push',
    ).toBe(true);
    for (const run of runs) {
      const argv = run.argv.join(' ');
      expect(argv).not.toContain(TOKEN);
      expect(argv).not.toContain(basic.slice('Basic '.length));
      expect(argv).not.toMatch(/authorization|extraheader/i);
      for (const [name, value] of Object.entries(SECRETS)) {
        expect(run.env.has(name), `${name} in the environment of git ${argv}`).toBe(false);
        // The token reaches git only as the header it sends (base64), never as itself.
        expect(
          [...run.env.values()].some((v) => v.includes(value)),
          `the value of ${name} in the environment of git ${argv}`,
        ).toBe(false);
      }
      expect([...run.env.keys()].filter((k) => k.startsWith('PORTICO_'))).toEqual([]);
    }
    // Fetch and push were told the token, through the environment only.
    const fetch = runs.find((r) => r.argv.includes('fetch'))!;
    expect(fetch.env.get('GIT_CONFIG_KEY_0')).toBe('http.extraHeader');
    expect(fetch.env.get('GIT_CONFIG_VALUE_0')).toBe(`Authorization: ${basic}`);
    // Local steps (commit, log) do not carry it at all.
    const commit = runs.find((r) => r.argv.includes('commit'))!;
    expect(commit.env.has('GIT_CONFIG_VALUE_0')).toBe(false);
  });

  it('over HTTP the token still reaches the Git host, as the Authorization header of the first request', async () => {
    clearLog();
    const workspace = new GitWorkspace(path.join(work, 'http-workspace'), { url: `http://127.0.0.1:${port}/platform/gitops.git`, branch: 'main', token: TOKEN, author });
    const failure = await workspace.sync().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(GitError);
    // The host said 401: a person reads that the credentials were refused, and never the token.
    expect((failure as GitError).message).toMatch(/refused the credentials/);
    expect((failure as GitError).message).not.toContain(TOKEN);

    const first = authorizations[0];
    expect(first?.url).toBe('/platform/gitops.git/info/refs?service=git-upload-pack');
    expect(first?.authorization).toBe(basic);
    const runs = recorded();
    expect(
      runs.some((r) => r.argv.includes('fetch')),
      'the wrapper saw the fetch',
    ).toBe(true);
    for (const run of runs) expect(run.argv.join(' ')).not.toMatch(new RegExp(`${TOKEN}|${basic.slice('Basic '.length)}|authorization|extraheader`, 'i'));
  });
});
