import { createHmac } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi, until } from '../support/api.ts';
import { contentRemote, type ContentRemote } from '../support/content-remote.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { projectRoot } from '../support/portal.ts';
import { requestsUnderLoad, runPortico, servePortal, type ServedPortal } from '../support/served.ts';

// Issue 17 item 2, decision record 19: `portico serve` with a Git remote follows the branch. It
// serves what it was given at once, builds each new commit in the background, switches between two
// requests, and keeps the site before online when a build fails. Here only the webhook wakes it
// (the poll is an hour), so each step also proves the webhook.
const SECRET = 'a-webhook-secret-of-some-length';
const SHIPMENTS_API = 'clusters/production/logistics/apis/shipments/api.yaml';

let work = '';
let remote: ContentRemote;
let portal: ServedPortal;
let dataDir = '';
const admin = jsonApi(() => portal.base);

async function status(as: 'admin' | 'anyone' = 'admin'): Promise<any> {
  if (as === 'admin') return (await admin('GET', '/status')).body;
  return (await fetch(`${portal.base}/api/v1/status`)).json();
}

/** Sends a push event as GitHub, GitLab or Gitea sign it with the shared secret. */
function webhook(host: 'github' | 'gitlab' | 'gitea', payload: unknown, secret = SECRET, extra: Record<string, string> = {}): Promise<Response> {
  const body = JSON.stringify(payload);
  const hmac = createHmac('sha256', secret).update(body).digest('hex');
  const headers: Record<string, string> =
    host === 'github'
      ? { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac}` }
      : host === 'gitea'
        ? { 'x-gitea-event': 'push', 'x-gitea-signature': hmac }
        : { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret };
  return fetch(`${portal.base}/api/v1/hooks/git`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers, ...extra }, body });
}

const pushEvent = (commit: string, ref = 'refs/heads/main') => ({ ref, after: commit });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'portico-follow-'));
  remote = await contentRemote(path.join(work, 'repo'), path.join(projectRoot, 'content'));
  const siteDir = path.join(work, 'image', 'site');
  const built = await runPortico(['build', '--out', siteDir], { PORTICO_CONTENT_DIR: remote.clone, PORTICO_DATA_DIR: path.join(work, 'build-data'), PORTICO_OFFLINE: '1' });
  expect(built.code, built.stderr).toBe(0);
  dataDir = path.join(work, 'data');
  portal = await servePortal(siteDir, {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_CONTENT_DIR: remote.clone,
    PORTICO_GIT_URL: remote.url,
    PORTICO_GATEWAYS: 'haproxy',
    PORTICO_GIT_INTERVAL: '1',
    PORTICO_DOCS_POLL_SECONDS: '3600',
    PORTICO_WEBHOOK_SECRET: SECRET,
    PORTICO_OFFLINE: '1',
    PORTICO_ADMIN_EMAILS: 'admin@example.test',
  });
  await signUpConfirmed(admin, dataDir, 'admin@example.test', 'a long enough password', '');
}, 300_000);

afterAll(async () => {
  await portal?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The YAML and JSON files of the content's clusters/ folder, relative to `dir`. */
const manifests = (dir: string) =>
  readdirSync(path.join(dir, 'clusters'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => path.join('clusters', f));

const builds = () => (existsSync(path.join(dataDir, 'docs', 'builds')) ? readdirSync(path.join(dataDir, 'docs', 'builds')) : []);

describe('docs that follow the branch', () => {
  it("serves the site it was given, and knows it shows the branch's commit without building it", async () => {
    const seeded = remote.head();
    const s = await until('the first check of the branch', async () => {
      const now = await status();
      return now.docs.lastCheck?.commit ? now : undefined;
    });
    expect(s.docs.lastCheck.commit).toBe(seeded);
    expect(s.docs.commit).toBe(seeded);
    expect(s.docs.following).toEqual({ url: remote.url, branch: 'main', path: '.' });
    expect(s.docs.building).toBeNull();
    expect(builds()).toEqual([]);
    expect(portal.output()).toContain(`the docs follow ${remote.url} branch main, checked every 3600 s and on a push to /api/v1/hooks/git`);
  });

  it("builds nothing for a commit that changes only the portal's grants folder", async () => {
    const grantsOnly = remote.push('A hand-written file in the grants folder', (dir) => {
      mkdirSync(path.join(dir, 'consumers'), { recursive: true });
      writeFileSync(path.join(dir, 'consumers', 'README.md'), 'written by hand\n');
    });
    const res = await webhook('github', pushEvent(grantsOnly));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'checking', branch: 'main' });
    await until('the docs to take the grants-only commit', async () => ((await status()).docs.commit === grantsOnly ? true : undefined), 60);
    expect(builds()).toEqual([]);
  });

  it('switches to a pushed change with no failed request, and keeps the assets of pages opened before', async () => {
    const page = await fetch(`${portal.base}/apis/shipments/`).then((r) => r.text());
    const asset = /(?:href|src)="(\/_astro\/[^"]+)"/.exec(page)?.[1];
    expect(asset).toBeDefined();
    const addresses = ['/', '/apis/shipments/', '/plans/', '/api/v1/status', asset!];
    const load = requestsUnderLoad(portal.base, addresses);
    const commit = remote.push('Rename the Shipments API', (dir) => {
      const file = path.join(dir, SHIPMENTS_API);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}title: Shipments$/m, '  title: Freight Shipments'));
    });
    expect((await webhook('gitea', pushEvent(commit))).status).toBe(202);
    await until('the docs to show the renamed API', async () => ((await status()).docs.commit === commit ? true : undefined), 240);
    // Requests go on across the switch and after it.
    const after = load.answered();
    await until('requests answered after the switch', async () => (load.answered() > after + 3 * addresses.length ? true : undefined), 60);
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(await fetch(`${portal.base}/apis/shipments/`).then((r) => r.text())).toContain('Freight Shipments');
    // The server's own catalog switched too (it answers /api/v1/catalog from it).
    expect(JSON.stringify((await admin('GET', '/catalog')).body)).toContain('Freight Shipments');
    const old = await fetch(`${portal.base}${asset}`);
    expect(old.status).toBe(200);
  }, 300_000);

  it('keeps the site online when a commit cannot be built, says why, and recovers on the next good commit', async () => {
    const served = (await status()).docs.commit;
    // Every manifest and spec unreadable: no API loads, and a build that publishes nothing fails.
    const before = new Map<string, Buffer>();
    const broken = remote.push('Break every manifest', (dir) => {
      for (const file of manifests(dir)) {
        before.set(file, readFileSync(path.join(dir, file)));
        writeFileSync(path.join(dir, file), 'openapi: [\n');
      }
    });
    expect((await webhook('gitlab', pushEvent(broken))).status).toBe(202);
    const failed = await until(
      'the failed build to be reported',
      async () => {
        const s = await status();
        return s.docs.lastFailure?.commit === broken ? s : undefined;
      },
      240,
    );
    expect(failed.docs.commit).toBe(served);
    expect(failed.docs.lastFailure.error).toMatch(/the docs build failed: .*no API loads/);
    // Anyone may see that a build failed, not why.
    const public_ = await status('anyone');
    expect(public_.docs.lastFailure).toEqual({ commit: broken, at: failed.docs.lastFailure.at });
    expect(public_.docs.following).toBeNull();
    // The site before still answers, and the admin overview says what happened.
    const page = await fetch(`${portal.base}/apis/shipments/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Freight Shipments');
    const overview = await fetch(`${portal.base}/admin/`, { headers: { cookie: admin.cookie() } }).then((r) => r.text());
    expect(overview).toContain(`The docs of commit <code>${broken.slice(0, 12)}</code> were not built`);
    expect(overview).toContain('no API loads');

    // The manifests back, and the Shipments API renamed once more: only what that touches is rendered again.
    const fixed = remote.push('Put the manifests back', (dir) => {
      for (const [file, bytes] of before) writeFileSync(path.join(dir, file), bytes);
      const file = path.join(dir, SHIPMENTS_API);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}title: Freight Shipments$/m, '  title: Freight and Parcel Shipments'));
    });
    expect((await webhook('github', pushEvent(fixed))).status).toBe(202);
    const recovered = await until(
      'the fixed commit to be served',
      async () => {
        const s = await status();
        return s.docs.commit === fixed ? s : undefined;
      },
      240,
    );
    expect(recovered.docs.lastFailure).toBeNull();
    expect(await fetch(`${portal.base}/apis/shipments/`).then((r) => r.text())).toContain('Freight and Parcel Shipments');
    // Built incrementally: the APIs the rename does not touch keep the pages rendered for the
    // commit before; the status says so, and where the time went.
    expect(recovered.docs.lastUpdate.commit).toBe(fixed);
    expect(recovered.docs.lastUpdate.apisReused).toBeGreaterThan(0);
    expect(recovered.docs.lastUpdate.apisRendered).toBeGreaterThanOrEqual(1); // the Shipments API, at least
    expect(recovered.docs.lastUpdate.seconds.total).toBeGreaterThanOrEqual(recovered.docs.lastUpdate.seconds.build);
    // The two builds in use are kept (the one served and the one before); older ones are removed.
    expect(builds().length).toBeLessThanOrEqual(2);
  }, 400_000);

  it('refuses a commit that holds no API definition at all, and takes the content back without building', async () => {
    const served = (await status()).docs.commit;
    const page = await fetch(`${portal.base}/apis/shipments/`).then((r) => r.text());
    // What a grants-only repository looks like to the follower: no clusters/, nothing that describes an API.
    const kept = path.join(work, 'clusters-kept');
    const emptied = remote.push('Move the API definitions elsewhere', (dir) => {
      rmSync(kept, { recursive: true, force: true });
      cpSync(path.join(dir, 'clusters'), kept, { recursive: true });
      rmSync(path.join(dir, 'clusters'), { recursive: true });
    });
    expect((await webhook('github', pushEvent(emptied))).status).toBe(202);
    const refused = await until(
      'the empty commit to be refused',
      async () => {
        const s = await status();
        return s.docs.lastFailure?.commit === emptied ? s : undefined;
      },
      120,
    );
    expect(refused.docs.commit).toBe(served);
    expect(refused.docs.lastFailure.error).toContain(`the branch main holds no API definition in its top folder at ${emptied.slice(0, 12)}; the docs stay as they are`);
    expect(refused.docs.lastFailure.error).toContain('PORTICO_DOCS_GIT_URL');
    expect(await fetch(`${portal.base}/apis/shipments/`).then((r) => r.text())).toBe(page);
    expect(JSON.stringify((await admin('GET', '/catalog')).body)).toContain('Shipments');

    // The definitions back, as they were: the site is right for that commit, so nothing is built.
    const buildsBefore = builds();
    const restored = remote.push('Put the API definitions back', (dir) => cpSync(kept, path.join(dir, 'clusters'), { recursive: true }));
    expect((await webhook('gitea', pushEvent(restored))).status).toBe(202);
    const back = await until(
      'the restored commit to be known as served',
      async () => {
        const s = await status();
        return s.docs.commit === restored ? s : undefined;
      },
      120,
    );
    expect(back.docs.lastFailure).toBeNull();
    expect(builds()).toEqual(buildsBefore);
  }, 300_000);

  it('refuses a push event that is not signed with the secret, and ignores other branches and events', async () => {
    const head = remote.head();
    expect((await webhook('github', pushEvent(head), 'not-the-secret-at-all')).status).toBe(401);
    expect((await webhook('gitea', pushEvent(head), 'not-the-secret-at-all')).status).toBe(401);
    const gitlab = await webhook('gitlab', pushEvent(head), 'not-the-secret-at-all');
    expect(gitlab.status).toBe(401);
    expect(gitlab.headers.get('content-type')).toBe('application/problem+json');
    expect((await gitlab.json()).detail).toContain('PORTICO_WEBHOOK_SECRET');
    const unsigned = await fetch(`${portal.base}/api/v1/hooks/git`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('x-content-type-options')).toBe('nosniff');
    const crossSite = await webhook('github', pushEvent(head), SECRET, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const otherBranch = await webhook('github', pushEvent(head, 'refs/heads/feature'));
    expect(otherBranch.status).toBe(202);
    expect((await otherBranch.json()).status).toBe('ignored');
    const ping = await fetch(`${portal.base}/api/v1/hooks/git`, {
      method: 'POST',
      headers: { 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update('{}').digest('hex')}` },
      body: '{}',
    });
    expect(await ping.json()).toEqual({ status: 'pong' });
  });
});
