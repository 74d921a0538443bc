#!/usr/bin/env node
// Portico's command line. Runs the TypeScript sources through tsx, so there is no separate build step.
import { register } from 'tsx/esm/api';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`portico: Node ${process.versions.node} is too old; Portico needs Node 22.12 or newer.`);
  console.error('  hint: run it through npm (npm start, npx portico), which uses the Node the project installs.');
  process.exit(1);
}
register();
const { main } = await import('../src/cli/main.ts');
const args = process.argv.slice(2);
const code = await main(args);
// A portal that failed to become ready must not keep serving; other commands end on their own,
// so their output (say, a long --json) is never cut short by an early exit.
if (code !== 0 && (args[0] === 'start' || args[0] === 'serve')) process.exit(code);
process.exitCode = code;
