import { describe, expect, it } from 'vitest';
import { metrics, pushFailureCause, Registry } from '../../src/lib/observability/metrics.ts';

/**
 * The exposition format's grammar for the lines we write (text format 0.0.4): comments, then
 * `name{label="value",...} value` with label values escaped.
 */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;
const COMMENT_LINE = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))$/;

describe('the Prometheus text format', () => {
  it('renders a histogram as cumulative buckets, +Inf, _sum and _count', async () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'job_seconds', help: 'How long a job took.', labelNames: ['queue'], buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 3, 42]) h.observe(v, { queue: 'git' });
    expect(await registry.render()).toBe(
      [
        '# HELP job_seconds How long a job took.',
        '# TYPE job_seconds histogram',
        'job_seconds_bucket{queue="git",le="0.1"} 2',
        'job_seconds_bucket{queue="git",le="1"} 3',
        'job_seconds_bucket{queue="git",le="10"} 4',
        'job_seconds_bucket{queue="git",le="+Inf"} 5',
        'job_seconds_sum{queue="git"} 45.65',
        'job_seconds_count{queue="git"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes quotes, backslashes and line feeds in label values, and line feeds in HELP', async () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'odd_total', help: 'Two lines\nof help with a \\ in it.', labelNames: ['why'] });
    c.inc({ why: 'said "no"\nthen C:\\temp' }, 2);
    const text = await registry.render();
    expect(text).toContain('# HELP odd_total Two lines\\nof help with a \\\\ in it.\n');
    expect(text).toContain('odd_total{why="said \\"no\\"\\nthen C:\\\\temp"} 2\n');
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(line.startsWith('#') ? COMMENT_LINE : SAMPLE_LINE);
  });

  it('adds scrape-time families from collectors and leaves out one that fails, saying so', async () => {
    const registry = new Registry();
    registry.gauge({ name: 'static_value', help: 'Set by code.' }).set(3);
    registry.registerCollector(() => [{ name: 'drift_count', help: 'Grants where Git and the database disagree.', type: 'gauge', samples: [{ value: 2 }] }]);
    registry.registerCollector(async () => {
      throw new Error('database gone');
    });
    const failures: unknown[] = [];
    const text = await registry.render([() => [{ name: 'queue_depth', help: 'Waiting.', type: 'gauge', samples: [{ labels: { kind: 'key' }, value: 7 }] }]], (err) => failures.push(err));
    expect(text).toContain('static_value 3\n');
    expect(text).toContain('# TYPE drift_count gauge\ndrift_count 2\n');
    expect(text).toContain('queue_depth{kind="key"} 7\n');
    expect(failures).toEqual([new Error('database gone')]);
  });

  it('refuses what Prometheus would reject, when the code is written rather than at scrape time', () => {
    const registry = new Registry();
    expect(() => registry.counter({ name: 'has-dash', help: 'x' })).toThrow(/not valid/);
    expect(() => registry.counter({ name: 'ok_total', help: 'x', labelNames: ['le'] })).toThrow(/label name "le"/);
    const c = registry.counter({ name: 'requests_total', help: 'x', labelNames: ['route'] });
    expect(() => c.inc({ route: '/', id: '42' })).toThrow(/has no label "id"/);
    expect(() => c.inc({})).toThrow(/needs the label "route"/);
    expect(() => c.inc({ route: '/' }, -1)).toThrow(/only goes up/);
    expect(() => registry.gauge({ name: 'requests_total', help: 'again' })).toThrow(/defined twice/);
    expect(() => registry.histogram({ name: 'h', help: 'x', buckets: [1, 1] })).toThrow(/increasing/);
  });

  it("exposes the portal's own instruments, each with HELP and TYPE", async () => {
    const text = await metrics.render();
    for (const [name, type] of [
      ['portico_request_to_commit_seconds', 'histogram'],
      ['portico_commit_to_push_seconds', 'histogram'],
      ['portico_git_push_failures_total', 'counter'],
      ['portico_http_request_duration_seconds', 'histogram'],
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
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
