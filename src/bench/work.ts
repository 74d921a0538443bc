import type { ServerSite } from './server-site.ts';

/** What every benchmark section shares: the options and one temporary folder, removed at the end. */
export interface BenchOptions {
  /** Sections to run, in the order of SECTIONS. */
  sections: string[];
  /** How many OpenAPI Directory specs the docs build uses. */
  specs: number;
  /** Seconds of each load test (provisioning runs, autocannon runs). */
  duration: number;
  /** A commit whose code the provisioning section also measures, in the same run, for a before/after. */
  baseline?: string;
}

export interface BenchWork {
  dir: string;
  /**
   * The copy of the project the builds and portals run from, taken when the bench starts: other
   * people's edits during a run then change neither the code measured nor the page cache's
   * fingerprint of it.
   */
  root: string;
  options: BenchOptions;
  /** The demo + GitHub site was built in `githubContent(work)` by an earlier section. */
  githubBuilt?: boolean;
  /** The site the provisioning and island benchmarks serve, once built. */
  serverSite?: ServerSite;
  /** With --baseline: that commit's copy of the project (node_modules linked from this one). */
  baseline?: { commit: string; root: string };
}
