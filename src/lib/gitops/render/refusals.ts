import type { Grant, RenderedFiles } from './types.ts';

/** A grant (or part of one) a gateway cannot enforce, left out of the render, with the reason in words. */
export interface RefusedGrant {
  applicationId: string;
  /** The subscriptions left out; all of the application's when the whole grant is refused. */
  subscriptionIds: string[];
  /** The keys left out: all of the application's when the whole grant is refused, else none. */
  keyIds: string[];
  reason: string;
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Whether `render` accepts these grants; the renderer's own words when it does not. */
function problemOf(render: (grants: Grant[]) => RenderedFiles, grants: Grant[]): string | undefined {
  try {
    render(grants);
    return undefined;
  } catch (err) {
    return reasonOf(err);
  }
}

/**
 * Renders every grant a gateway can enforce, and leaves out, with the renderer's reason, the ones
 * it cannot (a plan a gateway cannot express, a plan that left the catalog): one bad grant never
 * stops the others from being committed. The render is pure and deterministic, so finding the bad
 * grants by rendering them alone gives the same answer every time. When everything renders, this
 * costs one render.
 */
export function renderSkippingRefused(render: (grants: Grant[]) => RenderedFiles, grants: Grant[]): { files: RenderedFiles; refused: RefusedGrant[] } {
  try {
    return { files: render(grants), refused: [] };
  } catch {
    // Some grant cannot be rendered: find which, below.
  }
  const refused: RefusedGrant[] = [];
  const kept: Grant[] = [];
  for (const grant of grants) {
    const whole = problemOf(render, [grant]);
    if (!whole) {
      kept.push(grant);
      continue;
    }
    // A subscription a gateway cannot express goes alone; the application's keys and other subscriptions stay.
    const bad = grant.subscriptions.map((s) => ({ s, problem: problemOf(render, [{ ...grant, subscriptions: [s], keys: [] }]) })).filter((x) => x.problem);
    const rest: Grant = { ...grant, subscriptions: grant.subscriptions.filter((s) => !bad.some((b) => b.s === s)) };
    const restProblem = bad.length ? problemOf(render, [rest]) : whole;
    for (const b of bad) refused.push({ applicationId: grant.applicationId, subscriptionIds: [b.s.id], keyIds: [], reason: b.problem! });
    if (!restProblem) kept.push(rest);
    else refused.push({ applicationId: grant.applicationId, subscriptionIds: rest.subscriptions.map((s) => s.id), keyIds: grant.keys.map((k) => k.keyId), reason: restProblem });
  }
  if (!problemOf(render, kept)) return { files: render(kept), refused };
  // Grants fine alone may still clash with each other (the same key hash twice): the later one waits.
  const together: Grant[] = [];
  for (const grant of kept) {
    const clash = problemOf(render, [...together, grant]);
    if (clash) refused.push({ applicationId: grant.applicationId, subscriptionIds: grant.subscriptions.map((s) => s.id), keyIds: grant.keys.map((k) => k.keyId), reason: clash });
    else together.push(grant);
  }
  return { files: render(together), refused };
}
