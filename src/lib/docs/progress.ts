import type { DocsSite } from './site.ts';

// Build-time progress only: one counter for the one build this process runs.
const state = { done: 0, total: 0, started: 0, lastPrint: 0 };

/** Progress of long builds on a terminal: operation pages rendered, rate and time left. Quiet for small sites. */
export function reportPageRendered(site: DocsSite, now = Date.now(), write: (line: string) => void = (l) => process.stderr.write(l)): void {
  if (state.total === 0) {
    state.total = site.apis.reduce((n, a) => n + a.versions.reduce((m, v) => m + v.operations.length, 0), 0);
    state.started = now;
    state.lastPrint = now;
  }
  state.done++;
  if (state.total < 200) return;
  if (now - state.lastPrint < 2000 && state.done < state.total) return;
  state.lastPrint = now;
  const seconds = (now - state.started) / 1000;
  const rate = state.done / Math.max(seconds, 0.001);
  const left = Math.max(0, Math.round((state.total - state.done) / rate));
  write(`portico: ${state.done}/${state.total} operation pages rendered (${Math.round(rate)}/s, about ${left} s left)\n`);
}
