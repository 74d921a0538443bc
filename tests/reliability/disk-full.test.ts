import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys, outbox } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES } from '../support/databases.ts';
import { gitIn, readHistory } from '../support/git-history.ts';

/*
 * The disk that holds the data directory fills up. The portal's Git working copy lives there, so
 * the writer is the first to notice. Simulated with a real 2 MB tmpfs (this needs root, as `npm
 * test` has on the project's test machines): git and the file writes get a real ENOSPC.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-disk-full-'));
const disk = path.join(work, 'data');
const author = { name: 'Portico', email: 'portico@example.test' };
const render = (grants: Parameters<typeof renderHaproxy>[0]) => renderHaproxy(grants, new Map());

beforeAll(() => {
  mkdirSync(disk);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this test needs to mount a 2 MB tmpfs (run the tests as root): ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
});
afterAll(() => {
  try {
    execFileSync('umount', [disk], { stdio: 'pipe' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** Fills the disk to the last byte, as a runaway log or cache would; returns the filler to delete. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, `filler-${Date.now()}`);
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

let n = 0;
describe.each(ENGINES)('the Git writer when the data directory’s disk is full, on %s', (_engine, open) => {
  it('says so in words, loses nothing, and publishes once there is space again', async () => {
    const handle = await open();
    let filler: string | undefined;
    try {
      const { db } = handle;
      await db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const content = path.join(work, `content-${++n}`);
      mkdirSync(content, { recursive: true });
      writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
      const bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
      const workspace = new GitWorkspace(path.join(disk, `work-${n}`), { url: bare, branch: 'main', author });
      const access = createAccessService(db, { keyPrefix: 'ptc', environment: 'test' });
      const app = await access.createApplication('acct-ada', { name: 'Full disk', namespace: 'logistics' });
      expect(await drainOutbox(db, workspace, 'consumers', render)).toMatchObject({ outcome: 'published' });
      const tipBefore = gitIn(bare, 'rev-parse', 'main').trim();

      filler = fillDisk(disk);
      const key = await access.createKey('acct-ada', app.id, { title: 'written while full' });
      const failed = await drainOutbox(db, workspace, 'consumers', render);
      expect(failed, JSON.stringify(failed)).toMatchObject({ outcome: 'failed' });
      const [row] = await db.select().from(outbox).where(eq(outbox.requestId, key.requestId));
      expect(row).toMatchObject({ publishedAt: null, commit: null, attempts: 1 });
      // In words: the disk is full, and where; not that the remote cannot be reached, nor "unexpected" (a Portico bug).
      expect(row!.lastError).toMatch(/no space left on device|out of disk ?space|disk is full/i);
      expect(row!.lastError).toContain(disk);
      expect(row!.lastError).not.toMatch(/cannot be reached/);
      expect(row!.lastError).not.toMatch(/^unexpected:/);
      const [keyRow] = await db.select().from(apiKeys).where(eq(apiKeys.keyId, key.keyId));
      expect(keyRow!.status).toBe('committing');
      expect(gitIn(bare, 'rev-parse', 'main').trim()).toBe(tipBefore);

      // A second pass while still full fails the same way and still loses nothing.
      expect(await drainOutbox(db, workspace, 'consumers', render)).toMatchObject({ outcome: 'failed' });

      rmSync(filler);
      filler = undefined;
      const published = await drainOutbox(db, workspace, 'consumers', render);
      expect(published).toMatchObject({ outcome: 'published', newCommit: true });
      const [after] = await db.select().from(outbox).where(eq(outbox.requestId, key.requestId));
      expect(after).toMatchObject({ lastError: null, commit: gitIn(bare, 'rev-parse', 'main').trim() });
      expect(
        readHistory(bare)
          .flatMap((c) => c.requests)
          .filter((r) => r === key.requestId),
      ).toHaveLength(1);
      expect(gitIn(bare, 'rev-list', '--count', `${tipBefore}..main`).trim()).toBe('1');
      expect(gitIn(bare, 'show', 'main:consumers/haproxy/keys.map')).toContain(`${keyRow!.sha256} ${app.id}`);
    } finally {
      if (filler) rmSync(filler, { force: true });
      await handle.close();
    }
  });
});
