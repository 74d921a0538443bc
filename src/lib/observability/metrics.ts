/**
 * The portal's Prometheus metrics, on prom-client (decision 16): the portal's own instruments, the
 * process metrics prom-client collects (CPU, memory, heap, event-loop lag, GC), and families
 * computed when /metrics is scraped (the outbox, the grants, the drift), in the text exposition
 * format 0.0.4. The registry is the portal's own, never prom-client's global one, so a test or a
 * second portal in the same process never counts into it. It holds counts and durations, never an
 * id, a person or a secret; label values come from small, fixed sets (a route pattern, a status),
 * never from a raw URL or anything a client chooses.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Labels = Record<string, string>;

/** One metric family computed at scrape time: what collectors return. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels?: Labels; value: number }>;
}

/** Computes metric families when /metrics is scraped (values that live elsewhere, such as the database). */
export type Collector = () => MetricFamily[] | Promise<MetricFamily[]>;

/** A histogram of seconds that ignores a value that is not a finite number (a clock oddity is not worth a failed writer pass). */
export interface SecondsHistogram {
  observe(seconds: number): void;
}

/** Buckets for HTTP requests: 5 ms to 10 s. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets for the way of a grant through Git: 50 ms (one local push) to an hour (a remote down for a while). */
export const GIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Why a push failed, as the `cause` label of portico_git_push_failures_total. */
export type PushFailureCause = 'remote-down' | 'rejected' | 'auth' | 'other';

/** One portal's metrics: its registry, its instruments and the collectors read at each scrape. */
export interface PortalMetrics {
  /** The portal's own prom-client registry (never prom-client's global `register`). */
  readonly registry: Registry;
  /** Seconds from a grant request's outbox row to the commit that carries it. */
  readonly requestToCommitSeconds: SecondsHistogram;
  /** Seconds from a commit to the remote accepting its push. */
  readonly commitToPushSeconds: SecondsHistogram;
  /** Pushes the remote did not accept, by `cause`. */
  readonly gitPushFailures: Counter<'cause'>;
  /** Every on-demand request, by method, route pattern and status. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** The Content-Type of what `render` returns (the text format 0.0.4). */
  readonly contentType: string;
  /** Adds families computed at each scrape (for example the reconciler's drift count). */
  registerCollector(collect: Collector): void;
  /**
   * The whole /metrics body: the registry's metrics, then every collector's families (those
   * registered and `extra`, for values tied to a request's context such as its database). A
   * collector that fails, or names a family already exposed, is left out and reported to
   * `onCollectorError`: one broken source must not blind the whole scrape.
   */
  render(extra?: Collector[], onCollectorError?: (err: unknown) => void): Promise<string>;
}

const ignoringNonFinite = (histogram: Histogram): SecondsHistogram => ({
  observe(seconds) {
    if (Number.isFinite(seconds)) histogram.observe(seconds);
  },
});

/**
 * A fresh set of the portal's metrics in a registry of its own. `processMetrics` adds prom-client's
 * default process and Node.js metrics (on by default; a test that only reads the portal's own
 * families may leave them out).
 */
export function createPortalMetrics(options: { processMetrics?: boolean } = {}): PortalMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const collectors: Collector[] = [];
  return {
    registry,
    requestToCommitSeconds: ignoringNonFinite(
      new Histogram({ name: 'portico_request_to_commit_seconds', help: "Seconds from a grant request's outbox row to the commit that carries it.", buckets: GIT_BUCKETS, registers }),
    ),
    commitToPushSeconds: ignoringNonFinite(
      new Histogram({ name: 'portico_commit_to_push_seconds', help: 'Seconds from making a commit to the remote accepting its push.', buckets: GIT_BUCKETS, registers }),
    ),
    gitPushFailures: new Counter({
      name: 'portico_git_push_failures_total',
      help: 'Pushes the remote did not accept, by cause: remote-down, rejected, auth, other.',
      labelNames: ['cause'] as const,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'portico_http_request_duration_seconds',
      help: 'Seconds to answer an on-demand request, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    contentType: registry.contentType,
    registerCollector: (collect) => void collectors.push(collect),
    render: (extra = [], onCollectorError = () => {}) => renderMetrics(registry, [...collectors, ...extra], onCollectorError),
  };
}

async function renderMetrics(registry: Registry, collectors: Collector[], onCollectorError: (err: unknown) => void): Promise<string> {
  const exposed = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const parts = [registry];
  for (const collect of collectors) {
    try {
      const part = familiesToRegistry(await collect(), exposed);
      for (const m of part.getMetricsAsArray()) exposed.add(m.name);
      parts.push(part);
    } catch (err) {
      onCollectorError(err);
    }
  }
  return (parts.length === 1 ? registry : Registry.merge(parts)).metrics();
}

/** One collector's families as a registry of their own; prom-client checks the names as it builds them. */
function familiesToRegistry(families: MetricFamily[], exposed: ReadonlySet<string>): Registry {
  const part = new Registry();
  for (const family of families) {
    if (exposed.has(family.name) || part.getSingleMetric(family.name)) throw new Error(`metric ${family.name} is exposed twice`);
    const labelNames = [...new Set(family.samples.flatMap((s) => Object.keys(s.labels ?? {})))];
    const def = { name: family.name, help: family.help, labelNames, registers: [part] };
    if (family.type === 'counter') {
      const counter = new Counter(def);
      for (const s of family.samples) counter.inc(s.labels ?? {}, s.value);
    } else {
      const gauge = new Gauge(def);
      for (const s of family.samples) gauge.set(s.labels ?? {}, s.value);
    }
  }
  return part;
}

// One set per process, shared through globalThis so that two copies of this module (a dev
// server's reload, or two chunks of a build) still count into the same place.
const PORTAL_METRICS = Symbol.for('portico.metrics.prom-client');
const globals = globalThis as { [PORTAL_METRICS]?: PortalMetrics };

/** The process's metrics: what /metrics shows. */
export const metrics: PortalMetrics = (globals[PORTAL_METRICS] ??= createPortalMetrics());
/** Time from a grant request's outbox row creation to the commit that carries it (observe in seconds). */
export const requestToCommitSeconds: SecondsHistogram = metrics.requestToCommitSeconds;
/** Time from a commit to the push that published it (observe in seconds). */
export const commitToPushSeconds: SecondsHistogram = metrics.commitToPushSeconds;
/** Pushes that failed, by `cause` (see PushFailureCause and pushFailureCause). */
export const gitPushFailures: Counter<'cause'> = metrics.gitPushFailures;
/** Every on-demand request, by method, route pattern and status (observed by the middleware). */
export const httpRequestDuration: Histogram<'method' | 'route' | 'status'> = metrics.httpRequestDuration;

/** Adds families computed at each scrape of /metrics, such as the reconciler's drift count. */
export function registerCollector(collect: Collector): void {
  metrics.registerCollector(collect);
}

/** Counts one failed push under its cause. */
export function countGitPushFailure(cause: PushFailureCause): void {
  gitPushFailures.inc({ cause });
}

/**
 * The cause of a failed push, from git's own words or from the GitError that the Git module made
 * of them ("has commits this portal does not have yet", "refused the credentials", "cannot be reached").
 */
export function pushFailureCause(err: unknown): PushFailureCause {
  const text = err instanceof Error ? err.message : String(err);
  if (/rejected|non-fast-forward|fetch first|stale info|has commits this portal does not have/i.test(text)) return 'rejected';
  if (/could not read Username|Authentication failed|refused the credentials|Permission denied \(publickey|\b40[13]\b/i.test(text)) return 'auth';
  if (
    /cannot be reached|Could not resolve host|Connection refused|Connection timed out|Failed to connect|unable to access|does not appear to be a git repository|Could not read from remote/i.test(text)
  )
    return 'remote-down';
  return 'other';
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Observes one answered request; an unusual method is counted as OTHER so the label set stays small. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  if (!Number.isFinite(seconds)) return; // a clock oddity is not worth a failed request
  httpRequestDuration.observe({ method: KNOWN_METHODS.has(method) ? method : 'OTHER', route, status: String(status) }, seconds);
}
