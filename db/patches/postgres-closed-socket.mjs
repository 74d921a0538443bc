// Patches postgres@3.4.9 (porsager/postgres), run by `npm install` (postinstall).
//
// The driver defers small writes with setImmediate. When PostgreSQL closes the connection (a
// restart, pg_terminate_backend) before that write runs, nextWrite() calls socket.write on a null
// socket and throws from a timer: an uncatchable TypeError that ends the whole portal process
// (porsager/postgres#1154, #1208; fixes proposed in #1168 and #1209, unreleased as of 3.4.9). Its
// teardown also clears the timer without forgetting it, so a later write is never flushed
// (LanternOps/breeze#3225). This patch makes the deferred write settle instead: the query in
// flight is rejected with CONNECTION_CLOSED (which Portico answers with a 503), and teardown
// forgets the timer and the buffered bytes. It changes only these lines, checks that it finds them
// exactly, and is idempotent; a different driver version stops the install with a message.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../node_modules/postgres');
const MARK = '/* portico: closed-socket patch */';
const EXPECTED_VERSION = '3.4.9';

const edits = [
  {
    what: 'nextWrite on a closed socket',
    from: 'function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    to: `function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  },
  {
    what: 'terminate() forgetting the deferred write',
    from: '    clearImmediate(nextWriteTimer)\n    if (socket) {',
    to: '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {',
  },
  {
    what: 'closed() forgetting the deferred write',
    from: '    incomings = null\n    clearImmediate(nextWriteTimer)\n',
    to: '    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n',
  },
];

if (!existsSync(root)) process.exit(0); // not installed (a partial install); nothing to patch
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
if (version !== EXPECTED_VERSION) {
  console.error(`portico: db/patches/postgres-closed-socket.mjs was written for postgres@${EXPECTED_VERSION}, but ${version} is installed; check whether it still needs the patch and update the script`);
  process.exit(1);
}
for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const full = path.join(root, file);
  let text = readFileSync(full, 'utf8');
  if (text.includes(MARK)) continue;
  for (const edit of edits) {
    if (text.split(edit.from).length !== 2) {
      console.error(`portico: cannot patch ${edit.what} in node_modules/postgres/${file}: the expected code is not there exactly once`);
      process.exit(1);
    }
    text = text.replace(edit.from, edit.to);
  }
  writeFileSync(full, text);
}
