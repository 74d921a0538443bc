import { loadCatalog } from '../catalog/load.ts';
import { computeImpact, type ImpactReport } from './diff.ts';
import { exportRevision, locateInRepository, mergeBase, parseRange } from './git.ts';

/**
 * `portico impact <base>..<head>`: loads the content root at both revisions (exported with `git archive`
 * into temporary directories, never touching the working tree) and compares their effective access.
 */
export async function impactBetween(contentDir: string, range: string): Promise<ImpactReport> {
  const { top, subdir } = await locateInRepository(contentDir);
  const { base, head, mergeBase: useMergeBase } = parseRange(range);
  const baseRev = useMergeBase ? await mergeBase(top, base, head) : base;
  const [b, h] = await Promise.all([exportRevision(top, baseRev, subdir), exportRevision(top, head, subdir)]);
  try {
    // Offline: an impact report must not depend on what a URL serves today.
    const [c0, c1] = await Promise.all([loadCatalog(b.root, { offline: true }), loadCatalog(h.root, { offline: true })]);
    return computeImpact(c0, c1, { base: `${base} (${b.commit.slice(0, 7)})`, head: `${head} (${h.commit.slice(0, 7)})` });
  } finally {
    b.dispose();
    h.dispose();
  }
}
