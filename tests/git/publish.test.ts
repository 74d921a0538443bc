import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalRemote, GitError, GitWorkspace, stripCredentials } from '../../src/lib/gitops/git.ts';
import { publishRendered } from '../../src/lib/gitops/publish.ts';

const work = mkdtempSync(path.join(tmpdir(), 'portico-git-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const sh = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();

let n = 0;
async function newRemote(): Promise<{ bare: string; content: string }> {
  const content = path.join(work, `content-${++n}`);
  mkdirSync(path.join(content, 'apis'), { recursive: true });
  writeFileSync(path.join(content, 'apis/api.yaml'), 'kind: API\n');
  const bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
  return { bare, content };
}

/** A person (or another portal) pushing to the same branch. */
function pushAsSomeoneElse(bare: string, file: string, text: string) {
  const clone = path.join(work, `other-${++n}`);
  sh(work, 'clone', '-q', bare, clone);
  writeFileSync(path.join(clone, file), text);
  sh(clone, 'add', '-A');
  sh(clone, '-c', 'user.name=Someone', '-c', 'user.email=someone@example.test', 'commit', '-q', '-m', 'A human edit');
  sh(clone, 'push', '-q', 'origin', 'main');
}

describe('committing rendered policies to Git', () => {
  it('seeds the embedded remote from the content repository, once', async () => {
    const { bare } = await newRemote();
    expect(sh(bare, 'log', '--format=%s', 'main')).toBe('Seed from the demo content');
    expect(sh(bare, 'show', 'main:apis/api.yaml')).toBe('kind: API');
    await ensureLocalRemote(bare, '/nonexistent'); // already there: untouched
    expect(sh(bare, 'rev-list', '--count', 'main')).toBe('1');
  });

  it('commits with trailers when the files change, and not at all when they do not', async () => {
    const { bare } = await newRemote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    const files = new Map([
      ['traefik-hub/kustomization.yaml', 'resources: []\n'],
      ['haproxy/keys.map', '# hashes only\n'],
    ]);
    const first = await publishRendered(ws, 'consumers', () => files, 'Grant access to app-1', { 'Portico-Request': 'req-1', 'Portico-Consumer': 'acct-1' });
    expect(first.attempts).toBe(1);
    expect(sh(bare, 'rev-parse', 'main')).toBe(first.commit);
    expect(sh(bare, 'log', '-1', '--format=%B', 'main')).toBe('Grant access to app-1\n\nPortico-Request: req-1\nPortico-Consumer: acct-1');
    expect(sh(bare, 'show', 'main:consumers/haproxy/keys.map')).toBe('# hashes only');
    const again = await publishRendered(ws, 'consumers', () => files, 'Nothing new', { 'Portico-Request': 'req-2' });
    expect(again.commit).toBeUndefined();
    expect(sh(bare, 'rev-list', '--count', 'main')).toBe('2');
  });

  it('deletes files it no longer renders, and never touches files outside its folder', async () => {
    const { bare } = await newRemote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    await publishRendered(
      ws,
      'consumers',
      () =>
        new Map([
          ['a/one.yaml', '1\n'],
          ['b/two.yaml', '2\n'],
        ]),
      'two files',
      {},
    );
    await publishRendered(ws, 'consumers', () => new Map([['a/one.yaml', '1\n']]), 'one file', {});
    expect(sh(bare, 'ls-tree', '-r', '--name-only', 'main')).toBe('apis/api.yaml\nconsumers/a/one.yaml');
    expect(() => ws.writeFolder('consumers', new Map([['../apis/api.yaml', 'overwritten\n']]))).toThrow('refusing to write ../apis/api.yaml: it is outside consumers');
  });

  it('renders again on the new tip when someone else pushed first, keeping their commit', async () => {
    const { bare } = await newRemote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    let renders = 0;
    const render = () => {
      renders++;
      // The race: another portal instance pushes between this one's sync and its push.
      if (renders === 1) pushAsSomeoneElse(bare, 'README.md', 'edited by a person\n');
      return new Map([['keys.map', `render ${renders}\n`]]);
    };
    const result = await publishRendered(ws, 'consumers', render, 'Grant access', { 'Portico-Request': 'req-9' });
    expect(result.attempts).toBe(2);
    expect(sh(bare, 'log', '--format=%s', 'main').split('\n')).toEqual(['Grant access', 'A human edit', 'Seed from the demo content']);
    expect(sh(bare, 'show', 'main:consumers/keys.map')).toBe('render 2');
    expect(sh(bare, 'show', 'main:README.md')).toBe('edited by a person');
  });

  it('keeps its working copy when the tip is its own push, and takes the remote exactly when someone else pushed', async () => {
    const { bare } = await newRemote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
    const pushed = await publishRendered(ws, 'consumers', () => new Map([['a.yaml', 'a\n']]), 'Grant a', { 'Portico-Request': 'req-a' });
    ws.takeTimings();
    // The tip is the writer's own commit: the sync fetches and finds it there, with no checkout, and the
    // commit of an unchanged render asks git nothing.
    expect(await ws.sync()).toBe(pushed.commit);
    ws.writeFolder('consumers', new Map([['a.yaml', 'a\n']]));
    expect(await ws.commit('consumers', 'Nothing new', {})).toBeUndefined();
    const spent = ws.takeTimings();
    expect(Object.keys(spent).sort()).toEqual(['commit', 'sync', 'write']);
    expect(sh(ws.dir, 'rev-parse', 'HEAD')).toBe(pushed.commit);

    // Someone else pushes, and a stray file is left in the working copy: the next sync is the remote's tip, exactly.
    pushAsSomeoneElse(bare, 'consumers/b.yaml', 'b\n');
    writeFileSync(path.join(ws.dir, 'consumers', 'stray.yaml'), 'left behind\n');
    const tip = await ws.sync();
    expect(tip).toBe(sh(bare, 'rev-parse', 'main'));
    expect(sh(ws.dir, 'rev-parse', 'HEAD')).toBe(tip);
    expect(existsSync(path.join(ws.dir, 'consumers', 'b.yaml'))).toBe(true);
    expect(existsSync(path.join(ws.dir, 'consumers', 'stray.yaml'))).toBe(false);
    expect(sh(ws.dir, 'status', '--porcelain')).toBe('');

    // A render that changes a file and one that writes it back: the commit sees no change and makes none.
    ws.writeFolder(
      'consumers',
      new Map([
        ['a.yaml', 'changed\n'],
        ['b.yaml', 'b\n'],
      ]),
    );
    ws.writeFolder(
      'consumers',
      new Map([
        ['a.yaml', 'a\n'],
        ['b.yaml', 'b\n'],
      ]),
    );
    expect(await ws.commit('consumers', 'Back as it was', {})).toBeUndefined();
    expect(sh(ws.dir, 'rev-parse', 'HEAD')).toBe(tip);
  });

  it('says a remote that is down is retryable, and names no credential', async () => {
    const ws = new GitWorkspace(path.join(work, 'ws-down'), { url: 'https://ci-user:s3cret-token@127.0.0.1:9/org/gitops.git', branch: 'main', token: 'another-s3cret', author });
    const err = await ws.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).retryable).toBe(true);
    expect((err as GitError).message).toMatch(/^fetch: https:\/\/\*\*\*@127\.0\.0\.1:9\/org\/gitops\.git cannot be reached/);
    expect(JSON.stringify({ m: (err as Error).message, h: (err as GitError).hint })).not.toMatch(/s3cret/);
  });

  it('says a missing branch needs a human', async () => {
    const { bare } = await newRemote();
    const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'does-not-exist', author });
    const err = (await ws.sync().catch((e: unknown) => e)) as GitError;
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`fetch: ${bare} has no branch does-not-exist`);
    expect(existsSync(path.join(work, `ws-${n}`, '.git'))).toBe(true);
  });

  it('strips credentials from anything it reports', () => {
    expect(stripCredentials('fatal: unable to access https://x-access-token:ghp_abc@github.com/o/r.git/', 'ghp_abc')).toBe('fatal: unable to access https://***@github.com/o/r.git/');
    expect(stripCredentials('header Authorization: Basic eC1hY2Nlc3M=')).toBe('header Authorization: Basic ***');
  });
});
