#!/usr/bin/env node
// Portico's command line. Runs the TypeScript sources as they are, so there is no separate build step:
// with Node's own type stripping where this Node has it (the Node 24 the project installs), else
// through tsx (see docs/decisions/0014-running-typescript.md).

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`portico: Node ${process.versions.node} is too old; Portico needs Node 22.12 or newer.`);
  console.error('  hint: run it through npm (npm start, npx portico), which uses the Node the project installs.');
  process.exit(1);
}
// tsx's module hooks run on a thread of their own, and every dynamic import() pays a round trip to
// it, even of a module already loaded: the built server imports its route modules that way on each
// request. Node's own type stripping needs no hook.
if (!process.features.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import('../src/cli/main.ts');
const args = process.argv.slice(2);
const code = await main(args);
// A portal that failed to become ready must not keep serving; other commands end on their own,
// so their output (say, a long --json) is never cut short by an early exit.
if (code !== 0 && (args[0] === 'start' || args[0] === 'serve')) process.exit(code);
process.exitCode = code;
