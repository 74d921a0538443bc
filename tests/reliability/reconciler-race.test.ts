import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { accounts, apiKeys } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { reconcile, type Presence } from '../../src/lib/gitops/reconciler.ts';
import { haproxyPresence, renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import type { Grant } from '../../src/lib/gitops/render/types.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES } from '../support/databases.ts';
import { gitIn } from '../support/git-history.ts';

/*
 * Found by tests/reliability/concurrency.test.ts, now and then: with two portal instances, one
 * instance's reconciler can read the branch just before the other instance's writer pushes a new
 * key and marks it committed. Here the interleaving is made certain: a second writer publishes
 * between this reconciler's fetch and its reading of the database. A grant committed after the
 * branch was read is not "removed from Git": it must stay, and stay in the gateway's files.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-reconciler-race-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const render = (grants: Grant[]) => renderHaproxy(grants, new Map());
let n = 0;

describe.each(ENGINES)('a reconciler racing another instance’s writer on %s', (_engine, open) => {
  it('does not revoke a key that was pushed after it read the branch', async () => {
    const handle = await open();
    try {
      const { db } = handle;
      await db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const content = path.join(work, `content-${++n}`);
      mkdirSync(content, { recursive: true });
      writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
      const bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
      const access = createAccessService(db, { keyPrefix: 'ptc', environment: 'test' });
      const app = await access.createApplication('acct-ada', { name: 'Race', namespace: 'logistics' });
      const first = await access.createKey('acct-ada', app.id, { title: 'first' });

      // Instance A's writer publishes the first key; instance B's reconciler then knows the branch.
      const writerA = new GitWorkspace(path.join(work, `a-${n}`), { url: bare, branch: 'main', author });
      await drainOutbox(db, writerA, 'consumers', render);
      // The product's own reading of keys.map: hashes mapped to key ids by the pass's own database read.
      const presence: Presence = haproxyPresence;

      // A second key is requested; instance A's writer pushes it right after B's reconciler fetched.
      const second = await access.createKey('acct-ada', app.id, { title: 'second' });
      let raced = false;
      class FetchThenRace extends GitWorkspace {
        override async sync(): Promise<string> {
          const tip = await super.sync();
          if (!raced) {
            raced = true;
            expect(await drainOutbox(db, writerA, 'consumers', render)).toMatchObject({ outcome: 'published', newCommit: true });
          }
          return tip;
        }
      }
      const readerB = new FetchThenRace(path.join(work, `b-${n}`), { url: bare, branch: 'main', author });
      const result = await reconcile(db, readerB, 'consumers', presence, () => true);
      expect(raced).toBe(true);
      expect(result.revoked).toEqual([]);
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyId, second.keyId));
      expect([row!.status, row!.statusReason]).toEqual(['committed', null]);

      // The next passes, as either instance would run them: both keys end active and in keys.map.
      await drainOutbox(db, writerA, 'consumers', render);
      await reconcile(db, readerB, 'consumers', presence, () => true);
      const statuses = Object.fromEntries((await db.select().from(apiKeys)).map((k) => [k.keyId, k.status]));
      expect(statuses).toEqual({ [first.keyId]: 'active', [second.keyId]: 'active' });
      expect(
        gitIn(bare, 'show', 'main:consumers/haproxy/keys.map')
          .split('\n')
          .filter((l) => l.endsWith(` ${app.id}`)),
      ).toHaveLength(2);
    } finally {
      await handle.close();
    }
  });
});
