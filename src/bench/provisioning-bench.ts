import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';
import { signUpConsumer, consumerWithCookie, type Consumer } from './consumer.ts';
import { startBuiltPortal, type PortalProcess } from './portal-process.ts';
import { ms, quantile, type SectionTable } from './report.ts';
import { benchAgeRecipient, commitCount, createBareRemote, createDatabase, ensureServerSite } from './server-site.ts';
import type { BenchWork } from './work.ts';

/** One API key asked for during a run, with the moments it went through. All times are ms since the epoch, on this machine's clock. */
interface KeySample {
  consumer: number;
  keyId: string;
  requestId: string;
  /** Just before the POST was sent. */
  sent: number;
  /** The 201 answer arrived. */
  answered: number;
  /** The writer marked the outbox row published: the commit is pushed (outbox.published_at). */
  published?: number;
  /** The poller first saw the key `active` (the reconciler found it on the branch). */
  active?: number;
  /** The poller saw the key `revoked` although nobody revoked it (see the section's notes). */
  revoked?: number;
}

export interface ProvisioningRun {
  /** Which code ran: this checkout's ('after' when a baseline ran too), or the --baseline commit's ('before'). */
  code: 'this' | 'before' | 'after';
  portals: number;
  consumers: number;
  keys: number;
  seconds: number;
  keysPerSecond: number;
  commits: number;
  answerMs: { p50: number; p95: number; p99: number };
  commitMs: { p50: number; p95: number; p99: number };
  activeMs: { p50: number; p95: number; p99: number };
  /** Server side only: outbox.created_at (the request's transaction) to published_at. */
  queueMs: { p50: number; p95: number; p99: number };
  /** Keys that became revoked instead of active, though nobody revoked them; and the reasons the portal gave. */
  keysRevoked: number;
  revokedReasons: string[];
  /** Writer passes that published during the run, and the median milliseconds of each of their steps (the portals' log lines). */
  passes: number;
  passMs: Record<string, number>;
}

/** How the set-up's subscriptions ended: all active, or some revoked though nobody revoked them. */
export interface SetupOutcome {
  portals: number;
  subscriptions: number;
  revoked: number;
  reasons: string[];
}

const POLL_MS = 20;
const CONSUMER_COUNTS = [1, 10, 50];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pcts = (values: number[]) => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95), p99: quantile(values, 0.99) });

/**
 * Watches api_keys in the database every POLL_MS and resolves each key's promise when it is active.
 * Reading the table directly keeps the measurement off the portal's own request path.
 */
function startKeyPoller(sql: Awaited<ReturnType<typeof createDatabase>>['sql']) {
  const waiting = new Map<string, { sample: KeySample; resolve: () => void; reject: (e: Error) => void; deadline: number }>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      if (waiting.size > 0) {
        const rows = await sql<Array<{ key_id: string; status: string }>>`select key_id, status from api_keys where key_id in ${sql([...waiting.keys()])}`;
        const now = Date.now();
        for (const row of rows) {
          const w = waiting.get(row.key_id);
          if (!w) continue;
          if (row.status === 'active') {
            w.sample.active = now;
            waiting.delete(row.key_id);
            w.resolve();
          } else if (row.status === 'revoked') {
            // Nobody revoked it: counted, and the consumer goes on with its next key.
            w.sample.revoked = now;
            waiting.delete(row.key_id);
            w.resolve();
          } else if (!['committing', 'committed'].includes(row.status)) {
            waiting.delete(row.key_id);
            w.reject(new PorticoError(`key ${row.key_id} became ${row.status} instead of active`));
          }
        }
        for (const [id, w] of waiting) {
          if (now > w.deadline) {
            waiting.delete(id);
            w.reject(new PorticoError(`key ${id} was not active 120 s after it was asked for`));
          }
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return {
    untilActive: (sample: KeySample) => new Promise<void>((resolve, reject) => waiting.set(sample.keyId, { sample, resolve, reject, deadline: Date.now() + 120_000 })),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The last lines a portal logged, errors first: what a failed run's message shows. */
function lastWords(portal: PortalProcess): string {
  const lines = portal
    .output()
    .trim()
    .split('\n')
    .filter((l) => !l.includes('"msg":"request"'));
  const errors = lines.filter((l) => l.includes('"level":"error"'));
  return (errors.length ? errors : lines).slice(-3).join(' / ') || '(nothing)';
}

/** What the database says about grants that are not active yet, for a message when a run stalls. */
async function describeStall(sql: Awaited<ReturnType<typeof createDatabase>>['sql'], portals: PortalProcess[]): Promise<string> {
  const statuses = await sql<Array<{ kind: string; status: string; n: number }>>`
    select 'subscription' as kind, status, count(*)::int as n from subscriptions group by status
    union all select 'key', status, count(*)::int from api_keys group by status`;
  const [outbox] = await sql<Array<{ pending: number; last_error: string | null; attempts: number | null }>>`
    select count(*)::int as pending, max(last_error) as last_error, max(attempts) as attempts from outbox where published_at is null`;
  const tails = portals.map((p, i) => `portal ${i + 1} said: ${lastWords(p)}`);
  return [
    `statuses: ${statuses.map((r) => `${r.kind} ${r.status} ${r.n}`).join(', ')}`,
    `outbox: ${outbox!.pending} pending${outbox!.last_error ? `, last error "${outbox!.last_error}" after ${outbox!.attempts} attempts` : ''}`,
    ...tails,
  ].join('\n  ');
}

/**
 * Waits until no subscription is on its way to Git any more (the set-up's grants are on the branch);
 * returns how many ended revoked instead of active, with the reasons the portal gave.
 */
async function untilSettled(sql: Awaited<ReturnType<typeof createDatabase>>['sql'], what: string, portals: PortalProcess[]): Promise<{ revoked: number; reasons: string[] }> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from subscriptions where status in ('committing', 'committed')`;
    if (row!.n === 0) {
      const revoked = await sql<Array<{ status_reason: string | null }>>`select status_reason from subscriptions where status = 'revoked'`;
      return { revoked: revoked.length, reasons: [...new Set(revoked.map((r) => r.status_reason ?? '(no reason)'))].slice(0, 3) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PorticoError(`${what} did not reach Git within 120 s:\n  ${await describeStall(sql, portals)}`);
}

/**
 * One portal count: a fresh database and remote, the portals started on them, 50 consumers signed
 * up with an application subscribed to the demo's instant offer each; then 1, 10 and 50 of them ask
 * for keys in a closed loop (ask, wait until active, ask again) for `duration` seconds each.
 */
async function runPortals(work: BenchWork, portalCount: number, recipient: string, setups: SetupOutcome[], code: ProvisioningRun['code'] = 'this'): Promise<ProvisioningRun[]> {
  const site = await ensureServerSite(work);
  const db = await createDatabase(`portico_bench_${process.pid}_${portalCount}_${code}`);
  const remote = createBareRemote(path.join(work.dir, `remote-${portalCount}.git`));
  const portals: PortalProcess[] = [];
  const runs: ProvisioningRun[] = [];
  // The writer's own account of each pass that published: where its time went (src/lib/server/gitops.ts).
  let passes: Array<Record<string, number>> = [];
  const onLine = (line: string) => {
    if (!line.includes('"msg":"grants published"')) return;
    try {
      const ms = (JSON.parse(line) as { ms?: Record<string, number> }).ms;
      if (ms) passes.push(ms);
    } catch {
      // a line that is not the logger's JSON
    }
  };
  try {
    // One after the other: the first applies the migrations.
    for (let i = 0; i < portalCount; i++) {
      portals.push(
        await startBuiltPortal(
          work.root,
          site.siteDir,
          {
            PORTICO_DATA_DIR: path.join(work.dir, `portal-${portalCount}-${i}`),
            PORTICO_CONTENT_DIR: site.contentDir,
            DATABASE_URL: db.url,
            PORTICO_GIT_URL: remote,
            PORTICO_AGE_RECIPIENTS: recipient,
            PORTICO_GIT_INTERVAL: '1',
            // The remote holds grants only, not the docs: nothing to follow.
            PORTICO_DOCS_FOLLOW: 'off',
            // A closed loop makes hundreds of keys per application; the default cap of live keys (10) is for people.
            PORTICO_MAX_KEYS_PER_APPLICATION: '100000',
          },
          onLine,
        ),
      );
    }
    console.log(`portico bench: provisioning, ${portalCount} portal(s): signing up ${Math.max(...CONSUMER_COUNTS)} consumers`);
    const consumers: Array<{ consumer: Consumer; appId: string }> = [];
    for (let i = 0; i < Math.max(...CONSUMER_COUNTS); i++) {
      // Consumer i talks to portal i mod N: a load balancer in front of the instances.
      const portal = portals[i % portals.length]!;
      const signedUp = await signUpConsumer(portals[0]!.base, path.join(work.dir, `portal-${portalCount}-0`), `consumer${i}@bench.example`, i);
      const consumer = consumerWithCookie(portal.base, signedUp.cookie);
      const { application } = await consumer.api<{ application: { id: string } }>('POST', '/applications', { name: `Bench app ${i}` });
      await consumer.api('POST', `/applications/${application.id}/subscriptions`, { offer: 'logistics/public-starter' });
      consumers.push({ consumer, appId: application.id });
    }
    const setup = await untilSettled(db.sql, "the consumers' subscriptions", portals);
    setups.push({ portals: portalCount, subscriptions: Math.max(...CONSUMER_COUNTS), ...setup });
    for (const count of CONSUMER_COUNTS) {
      console.log(`portico bench: provisioning, ${portalCount} portal(s), ${count} consumer(s), ${work.options.duration} s`);
      const commitsBefore = commitCount(remote);
      const poller = startKeyPoller(db.sql);
      passes = [];
      const samples: KeySample[] = [];
      const started = Date.now();
      const deadline = started + work.options.duration * 1000;
      try {
        await Promise.all(
          consumers.slice(0, count).map(async ({ consumer, appId }, index) => {
            for (let n = 0; Date.now() < deadline; n++) {
              const sent = Date.now();
              const created = await consumer.api<{ keyId: string; requestId: string }>('POST', `/applications/${appId}/keys`, { title: `bench ${n}` });
              const sample: KeySample = { consumer: index, keyId: created.keyId, requestId: created.requestId, sent, answered: Date.now() };
              samples.push(sample);
              await poller.untilActive(sample);
            }
          }),
        );
      } finally {
        await poller.stop();
      }
      const done = samples.filter((s) => s.active !== undefined);
      const lost = samples.filter((s) => s.revoked !== undefined);
      const reasons = lost.length ? await db.sql<Array<{ status_reason: string | null }>>`select status_reason from api_keys where key_id in ${db.sql(lost.map((s) => s.keyId))}` : [];
      const ended = Math.max(...done.map((s) => s.active!));
      const outbox = await db.sql<
        Array<{ request_id: string; created_at: Date; published_at: Date | null }>
      >`select request_id, created_at, published_at from outbox where request_id in ${db.sql(samples.map((s) => s.requestId))}`;
      const byRequest = new Map(outbox.map((r) => [r.request_id, r]));
      const queue: number[] = [];
      for (const s of done) {
        const row = byRequest.get(s.requestId);
        if (!row?.published_at) throw new PorticoError(`the outbox row of ${s.requestId} was not published although its key is active`);
        s.published = row.published_at.getTime();
        queue.push(row.published_at.getTime() - row.created_at.getTime());
      }
      runs.push({
        code,
        portals: portalCount,
        consumers: count,
        keys: done.length,
        seconds: (ended - started) / 1000,
        keysPerSecond: done.length / ((ended - started) / 1000),
        commits: commitCount(remote) - commitsBefore,
        answerMs: pcts(samples.map((s) => s.answered - s.sent)),
        commitMs: pcts(done.map((s) => s.published! - s.sent)),
        activeMs: pcts(done.map((s) => s.active! - s.sent)),
        queueMs: pcts(queue),
        keysRevoked: lost.length,
        revokedReasons: [...new Set(reasons.map((r) => r.status_reason ?? '(no reason)'))].slice(0, 3),
        passes: passes.length,
        passMs: medianSteps(passes),
      });
    }
  } catch (err) {
    throw new PorticoError(`${(err as Error).message}\n  ${portals.map((p, i) => `portal ${i + 1} said: ${lastWords(p)}`).join('\n  ')}`);
  } finally {
    for (const p of portals) await p.stop();
    await db.drop();
  }
  return runs;
}

/** The median of each step over the passes (a step a pass did not take counts as 0 ms there). */
function medianSteps(passes: Array<Record<string, number>>): Record<string, number> {
  const steps = [...new Set(passes.flatMap((p) => Object.keys(p)))];
  return Object.fromEntries(
    steps.map((step) => [
      step,
      Math.round(
        quantile(
          passes.map((p) => p[step] ?? 0),
          0.5,
        ),
      ),
    ]),
  );
}

/** Provisioning latency and throughput, with one portal and with two on one database and one Git remote. */
export async function benchProvisioning(work: BenchWork): Promise<{ table: SectionTable; results: { runs: ProvisioningRun[]; setup: SetupOutcome[] } }> {
  const recipient = await benchAgeRecipient();
  const setup: SetupOutcome[] = [];
  const runs: ProvisioningRun[] = [];
  // With a baseline, its code and this one take turns on the same machine in the same run: the
  // before and after of a change, side by side, with the machine's load shared alike.
  const before = work.baseline ? { ...work, dir: path.join(work.dir, 'baseline'), root: work.baseline.root, serverSite: undefined, baseline: undefined } : undefined;
  if (before) mkdirSync(before.dir, { recursive: true });
  for (const portals of [1, 2]) {
    if (before) {
      console.log(`portico bench: provisioning, ${portals} portal(s): the baseline's code (${work.baseline!.commit.slice(0, 12)})`);
      runs.push(...(await runPortals(before, portals, recipient, setup, 'before')));
    }
    runs.push(...(await runPortals(work, portals, recipient, setup, before ? 'after' : 'this')));
  }
  const lostNotes = [
    ...setup
      .filter((s) => s.revoked > 0)
      .map(
        (s) =>
          `PROBLEM: with ${s.portals} portals, ${s.revoked} of the ${s.subscriptions} set-up subscriptions ended revoked though nobody revoked them; the portal said: ${s.reasons.map((r) => `"${r}"`).join(', ')}.`,
      ),
    ...runs
      .filter((r) => r.keysRevoked > 0)
      .map(
        (r) =>
          `PROBLEM: ${r.portals} portals, ${plural(r.consumers, 'consumer')}: ${plural(r.keysRevoked, 'key')} ended revoked instead of active; the portal said: ${r.revokedReasons.map((x) => `"${x}"`).join(', ')}.`,
      ),
  ];
  const three = (p: { p50: number; p95: number; p99: number }) => `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;
  return {
    table: {
      title: 'Provisioning: an API key, from request to commit and to active (PostgreSQL, local bare Git remote)',
      header: [
        ...(before ? ['code'] : []),
        'portals',
        'consumers',
        'keys active',
        'keys/s',
        'POST answer p50/p95/p99',
        'request→commit p50/p95/p99',
        'request→active p50/p95/p99',
        'outbox wait p50/p95/p99',
        'commits',
        'revoked by mistake',
      ],
      rows: runs.map((r) => [
        ...(before ? [r.code === 'before' ? `before (${work.baseline!.commit.slice(0, 7)})` : 'after'] : []),
        String(r.portals),
        String(r.consumers),
        String(r.keys),
        r.keysPerSecond.toFixed(1),
        three(r.answerMs),
        three(r.commitMs),
        three(r.activeMs),
        three(r.queueMs),
        String(r.commits),
        String(r.keysRevoked),
      ]),
      notes: [
        `Each consumer asks for a key, waits until it is active, and asks again, for ${work.options.duration} s; keys/s = keys made active / time from the first request to the last activation.`,
        'request→commit: from just before POST /api/v1/applications/{id}/keys is sent to outbox.published_at of its request (set by the writer once the commit is pushed).',
        `request→active: to the first time the bench, reading api_keys every ${POLL_MS} ms, sees the key active (the reconciler found it on the branch); resolution ${POLL_MS} ms.`,
        "outbox wait: outbox.created_at (the request's transaction) to published_at, server side only.",
        'commits: commits the writer added to main during the run (one commit carries every change pending at that pass).',
        ...runs.map(
          (r) =>
            `Writer pass${r.code === 'this' ? '' : ` (${r.code})`}, ${r.portals} portal${r.portals === 1 ? '' : 's'}, ${plural(r.consumers, 'consumer')}: ${r.passes} passes published; median ms per step: ${
              r.passes === 0
                ? '(this code logs no steps)'
                : Object.entries(r.passMs)
                    .map(([step, v]) => `${step} ${v}`)
                    .join(', ')
            }.`,
        ),
        'Steps (from the writer\'s "grants published" log line): sweep (expired keys, before the writer), lock (the writer lock), snapshot (queue and grants read), sync (fetch, and checkout when the tip moved), log (history read for requests already pushed), render, write (files), commit, push, record (outcomes and statuses), total (the writer), reconcile (after the writer).',
        ...lostNotes,
        'PORTICO_GIT_INTERVAL=1. Two portals: consumers alternate between them; both run the writer loop, the advisory lock lets one write at a time. The runs 1, 10, 50 follow each other on the same database, so the state grows.',
      ],
    },
    results: { runs, setup },
  };
}
