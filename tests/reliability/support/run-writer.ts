/**
 * One pass of the Git writer in a process of its own, so a test can kill it at a chosen moment
 * (tests/reliability/writer-crash.test.ts). Settings come from the environment:
 * DATABASE_URL, PORTICO_TEST_WORKSPACE (the working copy) and PORTICO_TEST_REMOTE (the bare remote).
 */
import { openDatabase } from '../../../src/lib/db/client.ts';
import { GitWorkspace } from '../../../src/lib/gitops/git.ts';
import { renderHaproxy } from '../../../src/lib/gitops/render/haproxy.ts';
import { drainOutbox } from '../../../src/lib/gitops/writer.ts';

const handle = await openDatabase({ url: process.env.DATABASE_URL });
const workspace = new GitWorkspace(process.env.PORTICO_TEST_WORKSPACE!, {
  url: process.env.PORTICO_TEST_REMOTE!,
  branch: 'main',
  author: { name: 'Portico', email: 'portico@example.test' },
});
const result = await drainOutbox(handle.db, workspace, 'consumers', (grants) => renderHaproxy(grants, new Map()));
console.log(JSON.stringify(result));
await handle.close();
