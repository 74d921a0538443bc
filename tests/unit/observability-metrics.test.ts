import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { createPortalMetrics, httpRequestDuration, metrics, observeHttpRequest, pushFailureCause, requestToCommitSeconds } from '../../src/lib/observability/metrics.ts';

/**
 * The exposition format's grammar for the lines we write (text format 0.0.4): comments, then
 * `name{label="value",...} value` with label values escaped.
 */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;
const COMMENT_LINE = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))$/;

describe('the Prometheus text format', () => {
  it('renders a histogram as cumulative buckets, +Inf, _sum and _count', async () => {
    const portal = createPortalMetrics({ processMetrics: false });
    for (const v of [0.004, 0.005, 0.3, 3, 42]) portal.httpRequestDuration.observe({ method: 'GET', route: '/apis', status: '200' }, v);
    const lines = (await portal.render()).split('\n').filter((l) => l.startsWith('portico_http_request_duration_seconds'));
    const labels = 'method="GET",route="/apis",status="200"';
    expect(lines).toEqual([
      ...[
        ['0.005', 2],
        ['0.01', 2],
        ['0.025', 2],
        ['0.05', 2],
        ['0.1', 2],
        ['0.25', 2],
        ['0.5', 3],
        ['1', 3],
        ['2.5', 3],
        ['5', 4],
        ['10', 4],
        ['+Inf', 5],
      ].map(([le, n]) => `portico_http_request_duration_seconds_bucket{le="${le}",${labels}} ${n}`),
      `portico_http_request_duration_seconds_sum{${labels}} 45.309`,
      `portico_http_request_duration_seconds_count{${labels}} 5`,
    ]);
  });

  it('escapes quotes, backslashes and line feeds in label values, and line feeds in HELP', async () => {
    const portal = createPortalMetrics({ processMetrics: false });
    portal.registerCollector(() => [{ name: 'odd_total', help: 'Two lines\nof help with a \\ in it.', type: 'counter', samples: [{ labels: { why: 'said "no"\nthen C:\\temp' }, value: 2 }] }]);
    portal.httpRequestDuration.observe({ method: 'GET', route: '/a "quoted" \\ route', status: '200' }, 0.1);
    const text = await portal.render();
    expect(text).toContain('# HELP odd_total Two lines\\nof help with a \\\\ in it.\n');
    expect(text).toContain('odd_total{why="said \\"no\\"\\nthen C:\\\\temp"} 2\n');
    for (const line of text.trimEnd().split('\n')) if (line) expect(line).toMatch(line.startsWith('#') ? COMMENT_LINE : SAMPLE_LINE);
  });

  it('adds scrape-time families from collectors and leaves out one that fails, saying so', async () => {
    const portal = createPortalMetrics({ processMetrics: false });
    portal.registerCollector(() => [{ name: 'drift_count', help: 'Grants where Git and the database disagree.', type: 'gauge', samples: [{ value: 2 }] }]);
    portal.registerCollector(async () => {
      throw new Error('database gone');
    });
    portal.registerCollector(() => [{ name: 'portico_git_push_failures_total', help: 'A second family under a name already exposed.', type: 'counter', samples: [{ value: 1 }] }]);
    portal.registerCollector(() => [{ name: 'has-dash', help: 'Not a name Prometheus accepts.', type: 'gauge', samples: [{ value: 1 }] }]);
    const failures: unknown[] = [];
    const text = await portal.render(
      [
        () => [
          {
            name: 'queue_depth',
            help: 'Waiting.',
            type: 'gauge',
            samples: [
              { labels: { kind: 'key' }, value: 7 },
              { labels: { kind: 'subscription' }, value: 0 },
            ],
          },
        ],
      ],
      (err) => failures.push(err),
    );
    expect(text).toContain('# TYPE drift_count gauge\ndrift_count 2\n');
    expect(text).toContain('queue_depth{kind="key"} 7\n');
    expect(text).toContain('queue_depth{kind="subscription"} 0\n');
    expect(text).not.toContain('A second family');
    expect(text).not.toContain('has-dash');
    expect(failures.map((e) => (e as Error).message)).toEqual(['database gone', 'metric portico_git_push_failures_total is exposed twice', expect.stringMatching(/metric name/i)]);
  });

  it('refuses what Prometheus would reject, when the code is written rather than at scrape time', () => {
    const registers = [createPortalMetrics({ processMetrics: false }).registry];
    expect(() => new Counter({ name: 'has-dash', help: 'x', registers })).toThrow(/metric name/i);
    expect(() => new Histogram({ name: 'h_seconds', help: 'x', labelNames: ['le'], registers })).toThrow(/le is a reserved label/);
    const c = new Counter({ name: 'requests_total', help: 'x', labelNames: ['route'], registers });
    expect(() => c.inc({ route: '/', id: '42' } as { route: string })).toThrow(/label "id" is not included/);
    expect(() => c.inc({ route: '/' }, -1)).toThrow(/not possible to decrease/);
    expect(() => new Gauge({ name: 'requests_total', help: 'again', registers })).toThrow(/already been registered/);
  });

  it("exposes the portal's own instruments, each with HELP and TYPE, and the process's", async () => {
    const text = await metrics.render();
    for (const [name, type] of [
      ['portico_request_to_commit_seconds', 'histogram'],
      ['portico_commit_to_push_seconds', 'histogram'],
      ['portico_git_push_failures_total', 'counter'],
      ['portico_http_request_duration_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it("keeps each portal's counts in its own registry, never prom-client's global one", async () => {
    const [a, b] = [createPortalMetrics({ processMetrics: false }), createPortalMetrics({ processMetrics: false })];
    a.gitPushFailures.inc({ cause: 'auth' });
    expect(await a.render()).toContain('portico_git_push_failures_total{cause="auth"} 1\n');
    expect(await b.render()).not.toContain('cause="auth"');
    expect(await register.metrics()).not.toContain('portico_');
  });

  it('ignores a duration that is not a finite number, and counts an unusual method as OTHER', async () => {
    const before = (await httpRequestDuration.get()).values.filter((v) => v.metricName === 'portico_http_request_duration_seconds_count');
    const count = (method: string) => before.find((v) => v.labels.method === method && v.labels.route === '/unit-test')?.value ?? 0;
    expect(count('OTHER')).toBe(0);
    observeHttpRequest('BREW', '/unit-test', 418, 0.01);
    observeHttpRequest('GET', '/unit-test', 200, Number.NaN);
    requestToCommitSeconds.observe(Number.POSITIVE_INFINITY);
    const text = await metrics.render();
    expect(text).toContain('portico_http_request_duration_seconds_count{method="OTHER",route="/unit-test",status="418"} 1\n');
    expect(text).not.toMatch(/method="GET",route="\/unit-test"/);
    expect(text).not.toContain('BREW');
  });
});

describe('the cause of a failed push', () => {
  it("reads git's own messages and the Git module's", () => {
    expect(pushFailureCause(new Error(' ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to /srv/gitops.git'))).toBe('rejected');
    expect(pushFailureCause(new Error('push: https://git.example.com/p.git has commits this portal does not have yet'))).toBe('rejected');
    expect(pushFailureCause(new Error("fatal: Authentication failed for 'https://git.example.com/p.git/'"))).toBe('auth');
    expect(pushFailureCause(new Error('git@git.example.com: Permission denied (publickey).'))).toBe('auth');
    expect(pushFailureCause(new Error("fatal: unable to access 'https://git.example.com/p.git/': Could not resolve host: git.example.com"))).toBe('remote-down');
    expect(pushFailureCause(new Error("fatal: '/srv/gone.git' does not appear to be a git repository"))).toBe('remote-down');
    expect(pushFailureCause(new Error('error: object file is empty'))).toBe('other');
  });
});
