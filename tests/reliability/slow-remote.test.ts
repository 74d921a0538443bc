import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, type TestDatabase } from '../support/databases.ts';
import { portalClient, until } from '../support/http-client.ts';
import { signUpConfirmed } from '../support/mail.ts';
import { startPortal, type RunningPortal } from '../support/portal.ts';

/*
 * The Git writer never blocks the portal (issue 16): while a push or fetch to a remote that stalls
 * is under way, signing in and /api/v1/me answer as usual, on both engines. On the embedded
 * database a transaction held open across the Git call made every query of the process wait.
 */

const PASSWORD = 'a long enough password';
/** How long the remote holds a request at most: far longer than a sign-in takes, far shorter than git's own timeout. */
const HOLD_MS = 20_000;

describe.each([
  ['PGlite', async () => undefined as TestDatabase | undefined],
  ['PostgreSQL', async () => freshPostgres()],
])('a Git remote that stalls, on %s', (_engine, database) => {
  let remote: Server;
  let stalling = false;
  const held: ServerResponse[] = [];
  let portal: RunningPortal;
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    // A Git host on loopback: refuses at once (503) until told to stall, then answers nothing.
    remote = createServer((_req, res) => {
      if (stalling) held.push(res);
      else res.writeHead(503).end('down for maintenance');
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    db = await database();
    portal = await startPortal({
      ...(db ? { DATABASE_URL: db.url! } : {}),
      PORTICO_GIT_URL: `http://127.0.0.1:${(remote.address() as AddressInfo).port}/platform/gitops.git`,
      PORTICO_GATEWAYS: 'haproxy',
      PORTICO_GIT_INTERVAL: '1',
    });
  }, 180_000);
  afterAll(async () => {
    stalling = false;
    held.splice(0).forEach((res) => res.destroy());
    await portal?.stop();
    await db?.close();
    await new Promise((resolve) => remote?.close(resolve));
  });

  it('signs in and answers /api/v1/me while the writer waits on the remote', async () => {
    const ada = portalClient(portal.base);
    await signUpConfirmed(ada.call, portal.dataDir, 'ada@example.test', PASSWORD);
    // A grant change for the writer: it now tries the remote every pass, and fails fast while it refuses.
    expect((await ada.call('POST', '/api/v1/applications', { name: 'Waiting for Git' })).status).toBe(201);
    stalling = true;
    await until('the writer to be waiting on the stalled remote', () => (held.length > 0 ? true : undefined), 60);

    const started = Date.now();
    const work = (async () => {
      const other = portalClient(portal.base, { localAddress: '127.0.0.9' });
      const signin = await other.call('POST', '/api/v1/auth/signin', { email: 'ada@example.test', password: PASSWORD });
      const me = await ada.call('GET', '/api/v1/me');
      return [signin.status, me.status];
    })();
    const outcome = await Promise.race([work, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), HOLD_MS))]);
    // Still stalled: the remote has not let any request go, so nothing waited for it.
    expect(held.every((res) => !res.writableEnded)).toBe(true);
    expect(outcome, `after ${Date.now() - started} ms`).toEqual([200, 200]);
  }, 120_000);
});
