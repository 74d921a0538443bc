// The Astro build in a process of its own (src/cli/docs-build.ts), so that its memory is released
// before the search index is written. Tells its parent its peak memory, or the build's error.
import { build } from 'astro';

// A parent that is stopped midway (a follower stops an outdated build with SIGTERM) closes the IPC
// channel: the build stops with it, instead of rendering on into a folder nobody will read.
let finished = false;
process.on('disconnect', () => {
  if (!finished) process.exit(143);
});

const send = (message: { peakRssMb: number } | { error: string }) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
try {
  await build(JSON.parse(process.argv[2]!));
  finished = true;
  await send({ peakRssMb: process.resourceUsage().maxRSS / 1024 });
} catch (err) {
  finished = true;
  await send({ error: (err as Error).message });
  process.exitCode = 1;
}
process.disconnect?.();
