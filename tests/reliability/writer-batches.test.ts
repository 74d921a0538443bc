import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accounts, outbox } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { ensureLocalRemote, GitWorkspace } from '../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES } from '../support/databases.ts';
import { readHistory } from '../support/git-history.ts';

/*
 * More changes are queued than one writer pass takes (100 by default; here 2, to keep it small).
 * The writer renders the whole state, so the first commit already carries changes whose outbox
 * rows wait for a later pass; that later pass then finds nothing to commit. Every change must
 * still be traceable to its request: the commit that carries a change names its request.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-writer-batches-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const author = { name: 'Portico', email: 'portico@example.test' };
const render = (grants: Parameters<typeof renderHaproxy>[0]) => renderHaproxy(grants, new Map());
let n = 0;

describe.each(ENGINES)('a queue of several changes, drained by repeated writer passes, on %s', (_engine, open) => {
  it('names every request in the commit that carries its change, exactly once', async () => {
    const handle = await open();
    try {
      const { db } = handle;
      await db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
      const content = path.join(work, `content-${++n}`);
      mkdirSync(content, { recursive: true });
      writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
      const bare = await ensureLocalRemote(path.join(work, `remote-${n}.git`), content);
      const access = createAccessService(db, { keyPrefix: 'ptc', environment: 'test' });
      const app = await access.createApplication('acct-ada', { name: 'Busy', namespace: 'logistics' });
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await access.createKey('acct-ada', app.id, { title: `key ${i}` }));

      const ws = new GitWorkspace(path.join(work, `ws-${n}`), { url: bare, branch: 'main', author });
      for (let pass = 0; pass < 5; pass++) await drainOutbox(db, ws, 'consumers', render);
      expect((await db.select().from(outbox)).filter((r) => !r.publishedAt)).toEqual([]);

      const history = readHistory(bare);
      const named = history.flatMap((c) => c.requests);
      for (const k of keys) {
        expect(
          named.filter((r) => r === k.requestId),
          `commits naming ${k.requestId}`,
        ).toHaveLength(1);
        const sha = createHash('sha256').update(k.key).digest('hex');
        const carrying = history.filter((c) => (c.added.get('consumers/haproxy/keys.map') ?? []).some((l) => l.startsWith(sha)));
        expect(
          carrying.map((c) => c.requests.includes(k.requestId)),
          `the commit adding key ${k.keyId} names ${k.requestId}`,
        ).toEqual([true]);
      }
    } finally {
      await handle.close();
    }
  });
});
