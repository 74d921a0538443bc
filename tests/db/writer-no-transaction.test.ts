import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../db/schema.ts';
import { createAccessService } from '../../src/lib/access/service.ts';
import { GitWorkspace } from '../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../src/lib/gitops/render/haproxy.ts';
import { drainOutbox } from '../../src/lib/gitops/writer.ts';
import { ENGINES, type TestDatabase } from '../support/databases.ts';
import { until } from '../support/http-client.ts';

/*
 * No database transaction stays open across Git network calls (DESIGN.md section 5, issue 16):
 * while the writer waits on a remote that stalls, other queries run, and PostgreSQL has no session
 * idle in a transaction.
 */

const work = mkdtempSync(path.join(tmpdir(), 'portico-writer-stall-'));
let remote: Server;
let url = '';
const held: ServerResponse[] = [];
let stalling = true;

beforeAll(async () => {
  // A Git host that never answers while stalling, and refuses at once (503) otherwise.
  remote = createServer((_req, res) => (stalling ? void held.push(res) : void res.writeHead(503).end('down')));
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/platform/gitops.git`;
});
afterAll(async () => {
  held.splice(0).forEach((res) => res.destroy());
  await new Promise((resolve) => remote.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe.each(ENGINES)('the Git writer waiting on a stalled remote, on %s', (engine, open) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await open();
    await handle.db.insert(accounts).values({ id: 'acct-ada', email: 'ada@example.test' });
  });
  afterAll(async () => handle?.close());

  it('holds no transaction open: other queries run, and nothing is idle in a transaction', async () => {
    const access = createAccessService(handle.db, { keyPrefix: 'ptc', environment: 'test' });
    await access.createApplication('acct-ada', { name: 'Waiting', namespace: 'logistics' });
    stalling = true;
    const before = held.length;
    const ws = new GitWorkspace(path.join(work, `ws-${engine}`), { url, branch: 'main', author: { name: 'Portico', email: 'portico@example.test' } });
    const drain = drainOutbox(handle.db, ws, 'consumers', (grants) => renderHaproxy(grants, new Map()));
    await until('the writer to wait on the remote', () => (held.length > before ? true : undefined), 60);

    // The writer is inside its Git call now. Another caller's queries, read and write, go through.
    const started = Date.now();
    const queries = (async () => {
      await handle.db.insert(accounts).values({ id: `acct-${engine}-meanwhile`, email: `meanwhile-${engine.toLowerCase()}@example.test` });
      return (await handle.db.select().from(accounts)).length;
    })();
    const outcome = await Promise.race([queries, new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 20_000))]);
    expect(outcome, `after ${Date.now() - started} ms`).toBe(2);
    if (engine === 'PostgreSQL') {
      const idle = await handle.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`);
      expect((Array.isArray(idle) ? idle : (idle as { rows: unknown[] }).rows)[0]).toMatchObject({ n: 0 });
    }
    // Let the remote go: the writer reports it and keeps the change queued.
    stalling = false;
    held.splice(0).forEach((res) => res.destroy());
    expect(await drain).toMatchObject({ outcome: 'failed', retryable: true });
  }, 120_000);
});
