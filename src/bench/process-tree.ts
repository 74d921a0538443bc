import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process and all its descendants, read from /proc (Linux). A site build is
 * more than one process: the Astro build runs in a child, then Pagefind's indexer as its own binary
 * (issue 18), so no one process's maxRSS is the build's peak.
 */
export function processTreeRssBytes(rootPid: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${name}/status`, 'utf8');
    } catch {
      continue; // the process ended between the listing and the read
    }
    const pid = Number(name);
    parent.set(pid, Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    // Kernel threads and zombies have no VmRSS line.
    rss.set(pid, Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024);
  }
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parent) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const todo = rss.has(rootPid) ? [rootPid] : [];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += rss.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/**
 * Samples a process tree's resident memory every `intervalMs` until stopped; `stop` returns the
 * highest sum seen. A peak shorter than the interval can be missed.
 */
export function watchProcessTree(rootPid: number, intervalMs = 100): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, processTreeRssBytes(rootPid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
