/**
 * A small in-process Prometheus registry: counters, gauges and histograms with labels, rendered in
 * the text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Process-wide on purpose, like the database pool: it holds counts and durations, never an id, a
 * person or a secret. Label values must come from small, fixed sets (a route pattern, a status),
 * never from a raw URL or anything a client chooses.
 */

export type Labels = Record<string, string>;

/** One metric family as it is exposed: what collectors return at scrape time. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels?: Labels; value: number }>;
}

/** Computes metric families when /metrics is scraped (values that live elsewhere, such as the database). */
export type Collector = () => MetricFamily[] | Promise<MetricFamily[]>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Definition {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** Label values escaped as the format requires: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaped as the format requires: backslash and line feed. */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value in the format's spelling: +Inf, -Inf, NaN, or a Go-parsable float. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function checkDefinition(def: Definition): void {
  if (!METRIC_NAME.test(def.name)) throw new Error(`metric name "${def.name}" is not valid in Prometheus (letters, digits, _ and :)`);
  for (const label of def.labelNames ?? []) {
    if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') throw new Error(`metric ${def.name}: label name "${label}" is not allowed`);
  }
}

/** The labels of one series in the declared order; a missing or unknown label is a programming error. */
function orderedLabels(def: Definition, labels: Labels = {}): Labels {
  const names = def.labelNames ?? [];
  const unknown = Object.keys(labels).find((k) => !names.includes(k));
  if (unknown) throw new Error(`metric ${def.name} has no label "${unknown}" (its labels: ${names.join(', ') || 'none'})`);
  const out: Labels = {};
  for (const name of names) {
    const value = labels[name];
    if (value === undefined) throw new Error(`metric ${def.name} needs the label "${name}"`);
    out[name] = value;
  }
  return out;
}

const seriesKey = (labels: Labels) => JSON.stringify(Object.values(labels));

/** A value that only goes up (requests, failures). */
export class Counter {
  readonly type = 'counter';
  readonly def: Definition;
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(def: Definition) {
    checkDefinition(def);
    this.def = def;
  }

  /** Adds `by` (1 by default) to the series with these labels. */
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error(`metric ${this.def.name}: a counter only goes up (got ${by})`);
    const ordered = orderedLabels(this.def, labels);
    const key = seriesKey(ordered);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { labels: ordered, value: by });
  }

  /** The current value of one series (0 when it was never counted). */
  get(labels?: Labels): number {
    return this.series.get(seriesKey(orderedLabels(this.def, labels)))?.value ?? 0;
  }

  render(): string[] {
    return [...this.series.values()].map((s) => `${this.def.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A value that goes up and down (a queue's depth). */
export class Gauge {
  readonly type = 'gauge';
  readonly def: Definition;
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(def: Definition) {
    checkDefinition(def);
    this.def = def;
  }

  /** Sets the series with these labels to `value`. */
  set(value: number, labels?: Labels): void {
    const ordered = orderedLabels(this.def, labels);
    this.series.set(seriesKey(ordered), { labels: ordered, value });
  }

  /** Adds `by` (may be negative) to the series with these labels. */
  inc(labels?: Labels, by = 1): void {
    const ordered = orderedLabels(this.def, labels);
    const s = this.series.get(seriesKey(ordered));
    this.set((s?.value ?? 0) + by, ordered);
  }

  /** The current value of one series (0 when it was never set). */
  get(labels?: Labels): number {
    return this.series.get(seriesKey(orderedLabels(this.def, labels)))?.value ?? 0;
  }

  render(): string[] {
    return [...this.series.values()].map((s) => `${this.def.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Observations at or below each bound (not cumulative; summed when rendered). */
  counts: number[];
  sum: number;
  count: number;
}

/** A distribution of durations, in cumulative buckets (`le`), as Prometheus' histogram_quantile expects. */
export class Histogram {
  readonly type = 'histogram';
  readonly def: Definition;
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();
  constructor(def: Definition, buckets: readonly number[]) {
    checkDefinition(def);
    this.def = def;
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new Error(`metric ${def.name}: buckets must be finite and increasing`);
    }
    this.buckets = buckets;
  }

  /** Records one observation (seconds, for the portal's histograms) in the series with these labels. */
  observe(value: number, labels?: Labels): void {
    if (!Number.isFinite(value)) return; // a clock oddity is not worth a broken histogram
    const ordered = orderedLabels(this.def, labels);
    const key = seriesKey(ordered);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: ordered, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const index = this.buckets.findIndex((b) => value <= b);
    if (index >= 0) s.counts[index]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Count and sum of one series, for tests and for people reading the code. */
  get(labels?: Labels): { count: number; sum: number } {
    const s = this.series.get(seriesKey(orderedLabels(this.def, labels)));
    return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
  }

  render(): string[] {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i]!;
        lines.push(`${this.def.name}_bucket${formatLabels({ ...s.labels, le: formatValue(bound) })} ${cumulative}`);
      });
      lines.push(`${this.def.name}_bucket${formatLabels({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.def.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.def.name}_count${formatLabels(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

type Instrument = Counter | Gauge | Histogram;

/** A set of metrics exposed together; `render` produces the whole /metrics body. */
export class Registry {
  private readonly instruments = new Map<string, Instrument>();
  private readonly collectors: Collector[] = [];

  counter(def: Definition): Counter {
    return this.add(new Counter(def));
  }

  gauge(def: Definition): Gauge {
    return this.add(new Gauge(def));
  }

  histogram(def: Definition & { buckets: readonly number[] }): Histogram {
    return this.add(new Histogram(def, def.buckets));
  }

  /** Adds families computed at each scrape (for example the reconciler's drift count). */
  registerCollector(collect: Collector): void {
    this.collectors.push(collect);
  }

  /**
   * The text exposition format 0.0.4: the instruments, then every collector's families (those
   * registered and `extra`, for values tied to a request's context such as its database). A
   * collector that fails is left out and reported to `onCollectorError`: one broken source must
   * not blind the whole scrape.
   */
  async render(extra: Collector[] = [], onCollectorError: (err: unknown) => void = () => {}): Promise<string> {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const metric of this.instruments.values()) {
      seen.add(metric.def.name);
      out.push(`# HELP ${metric.def.name} ${escapeHelp(metric.def.help)}`, `# TYPE ${metric.def.name} ${metric.type}`, ...metric.render());
    }
    for (const collect of [...this.collectors, ...extra]) {
      try {
        const lines: string[] = [];
        const names: string[] = [];
        for (const family of await collect()) {
          checkDefinition({ name: family.name, help: family.help, labelNames: [...new Set(family.samples.flatMap((s) => Object.keys(s.labels ?? {})))] });
          if (seen.has(family.name) || names.includes(family.name)) throw new Error(`metric ${family.name} is exposed twice`);
          names.push(family.name);
          lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
          for (const s of family.samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
        }
        for (const name of names) seen.add(name);
        out.push(...lines);
      } catch (err) {
        onCollectorError(err);
      }
    }
    return `${out.join('\n')}\n`;
  }

  private add<T extends Instrument>(metric: T): T {
    if (this.instruments.has(metric.def.name)) throw new Error(`metric ${metric.def.name} is defined twice`);
    this.instruments.set(metric.def.name, metric);
    return metric;
  }
}

/** Buckets for HTTP requests: 5 ms to 10 s. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets for the way of a grant through Git: 50 ms (one local push) to an hour (a remote down for a while). */
export const GIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Why a push failed, as the `cause` label of portico_git_push_failures_total. */
export type PushFailureCause = 'remote-down' | 'rejected' | 'auth' | 'other';

// One registry per process, shared through globalThis so that two copies of this module (a dev
// server's reload, or two chunks of a build) still count into the same place.
const REGISTRY = Symbol.for('portico.metrics.registry');
const globals = globalThis as { [REGISTRY]?: ReturnType<typeof createDefaultInstruments> };

function createDefaultInstruments() {
  const registry = new Registry();
  return {
    registry,
    requestToCommitSeconds: registry.histogram({
      name: 'portico_request_to_commit_seconds',
      help: "Seconds from a grant request's outbox row to the commit that carries it.",
      buckets: GIT_BUCKETS,
    }),
    commitToPushSeconds: registry.histogram({
      name: 'portico_commit_to_push_seconds',
      help: 'Seconds from making a commit to the remote accepting its push.',
      buckets: GIT_BUCKETS,
    }),
    gitPushFailures: registry.counter({
      name: 'portico_git_push_failures_total',
      help: 'Pushes the remote did not accept, by cause: remote-down, rejected, auth, other.',
      labelNames: ['cause'],
    }),
    httpRequestDuration: registry.histogram({
      name: 'portico_http_request_duration_seconds',
      help: 'Seconds to answer an on-demand request, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
    }),
  };
}

const instruments = (globals[REGISTRY] ??= createDefaultInstruments());

/** The process's registry: what /metrics shows. */
export const metrics: Registry = instruments.registry;
/** Time from a grant request's outbox row creation to the commit that carries it (observe in seconds). */
export const requestToCommitSeconds: Histogram = instruments.requestToCommitSeconds;
/** Time from a commit to the push that published it (observe in seconds). */
export const commitToPushSeconds: Histogram = instruments.commitToPushSeconds;
/** Pushes that failed, by `cause` (see PushFailureCause and pushFailureCause). */
export const gitPushFailures: Counter = instruments.gitPushFailures;
/** Every on-demand request, by method, route pattern and status (observed by the middleware). */
export const httpRequestDuration: Histogram = instruments.httpRequestDuration;

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
  if (/cannot be reached|Could not resolve host|Connection refused|Connection timed out|Failed to connect|unable to access|does not appear to be a git repository|Could not read from remote/i.test(text)) return 'remote-down';
  return 'other';
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Observes one answered request; an unusual method is counted as OTHER so the label set stays small. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequestDuration.observe(seconds, { method: KNOWN_METHODS.has(method) ? method : 'OTHER', route, status: String(status) });
}
