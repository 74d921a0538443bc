import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { PorticoError } from '../lib/errors.ts';
import { signUpConsumer, type Consumer } from './consumer.ts';
import { startBuiltPortal } from './portal-process.ts';
import { ms, quantile, ratio, type SectionTable } from './report.ts';
import { createDatabase, ensureServerSite } from './server-site.ts';
import type { BenchWork } from './work.ts';

const CONNECTIONS = 50;
/** The relay's own limit: 60 requests a minute per consumer (src/pages/relay.ts). */
const RELAY_PER_MINUTE = 60;

export interface LoadFigure {
  name: string;
  url: string;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

interface CannonOptions {
  cookies?: string[];
  duration?: number;
  /** Requests per connection, instead of a duration. */
  perConnection?: number;
  connections?: number;
}

/** One autocannon run; connection i carries cookie i (so each connection is one signed-in person). */
async function cannon(url: string, options: CannonOptions): Promise<{ times: number[]; seconds: number; non2xx: number; errors: number }> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const instance = autocannon({
    url,
    connections: options.connections ?? CONNECTIONS,
    ...(options.perConnection ? { maxConnectionRequests: options.perConnection } : { duration: options.duration }),
    timeout: 30,
    setupClient: options.cookies ? (client) => client.setHeaders({ cookie: options.cookies![next++ % options.cookies!.length]! }) : undefined,
  });
  // Timed to the last answer, not to when autocannon reports done: it notices that on its
  // once-a-second tick, which made a run of a fixed number of requests last whole seconds.
  let lastAnswer = started;
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    times.push(responseTime);
    lastAnswer = performance.now();
  });
  const result = await instance;
  return { times, seconds: (lastAnswer - started) / 1000, non2xx: result.non2xx, errors: result.errors };
}

/**
 * A measured run at 50 connections, after a 1 s warm-up of the same requests (not counted), so
 * the figures are of a warm server. p95 is computed from every response's own time (autocannon's
 * summary has no p95).
 */
async function load(name: string, url: string, options: CannonOptions, warmUp: CannonOptions | false = { ...options, duration: 1, perConnection: undefined }): Promise<LoadFigure> {
  console.log(`portico bench: autocannon, ${name}`);
  if (warmUp) await cannon(url, warmUp);
  const { times, seconds, non2xx, errors } = await cannon(url, options);
  return {
    name,
    url,
    requests: times.length,
    seconds,
    requestsPerSecond: times.length / seconds,
    p50Ms: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
    p99Ms: quantile(times, 0.99),
    non2xx,
    errors,
  };
}

/** Starts the echo upstream in its own process on `port`. */
async function startUpstream(root: string, port: number): Promise<{ stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/bench/upstream-child.ts'), String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!out.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new PorticoError(`the echo upstream did not start on port ${port}: ${out.trim()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { stop: () => child.kill('SIGTERM') };
}

/** The account menu's server-island URL, as the built pages ask for it. */
function accountMenuIsland(siteDir: string): string {
  const html = readFileSync(path.join(siteDir, 'client', 'index.html'), 'utf8');
  const match = /\/_server-islands\/AccountMenu\?[^"'\s<>]+/.exec(html);
  if (!match) throw new PorticoError('the built catalog page has no AccountMenu server island');
  return match[0].replace(/&amp;/g, '&');
}

export interface IslandResults {
  runs: LoadFigure[];
  /** `portico serve` from process start to ready: on a new database, and a second replica on the same one. */
  serveReadySeconds: { first: number; replica: number };
}

/** The signed-in server part and the try-it relay under 50 concurrent connections. */
export async function benchIsland(work: BenchWork): Promise<{ table: SectionTable; results: IslandResults }> {
  const site = await ensureServerSite(work);
  const db = await createDatabase(`portico_bench_${process.pid}_island`);
  const upstream = await startUpstream(work.root, site.upstreamPort);
  const portal = await startBuiltPortal(work.root, site.siteDir, {
    PORTICO_DATA_DIR: path.join(work.dir, 'island-portal'),
    PORTICO_CONTENT_DIR: site.contentDir,
    DATABASE_URL: db.url,
    PORTICO_RELAY_ALLOW: `127.0.0.1:${site.upstreamPort}`,
  });
  const runs: LoadFigure[] = [];
  let secondReady = Number.NaN;
  try {
    console.log(`portico bench: island, signing up ${CONNECTIONS} consumers`);
    const consumers: Consumer[] = [];
    for (let i = 0; i <= CONNECTIONS; i++) {
      const consumer = await signUpConsumer(portal.base, path.join(work.dir, 'island-portal'), `island${i}@bench.example`, 100 + i);
      await consumer.api('POST', '/applications', { name: `Island app ${i}` });
      consumers.push(consumer);
    }
    // The last consumer only warms the relay up, so the measured ones keep their whole minute's allowance.
    const relayWarmUp = consumers.pop()!.cookie;
    const cookies = consumers.map((c) => c.cookie);
    const duration = work.options.duration;
    const target = `http://127.0.0.1:${site.upstreamPort}/echo/ping`;
    runs.push(await load('static page (anchor)', `${portal.base}/plans/`, { duration }));
    runs.push(await load('GET /api/v1/applications', `${portal.base}/api/v1/applications`, { cookies, duration }));
    runs.push(await load('GET /account/', `${portal.base}/account/`, { cookies, duration }));
    runs.push(await load('account-menu island', `${portal.base}${accountMenuIsland(site.siteDir)}`, { cookies, duration }));
    runs.push(await load('upstream, direct (anchor)', target, { duration }));
    // Within the relay's limit: each connection is its own consumer and makes 60 requests.
    runs.push(
      await load(
        'relay to the upstream',
        `${portal.base}/relay?url=${encodeURIComponent(target)}`,
        { cookies, perConnection: RELAY_PER_MINUTE },
        { cookies: [relayWarmUp], connections: 5, perConnection: RELAY_PER_MINUTE / 5 },
      ),
    );
    // A second replica on the same database and build, as a deployment scales out: nothing left to migrate.
    console.log('portico bench: island, starting a second replica');
    const replica = await startBuiltPortal(work.root, site.siteDir, { PORTICO_DATA_DIR: path.join(work.dir, 'island-replica'), PORTICO_CONTENT_DIR: site.contentDir, DATABASE_URL: db.url });
    secondReady = replica.readySeconds;
    await replica.stop();
  } finally {
    await portal.stop();
    upstream.stop();
    await db.drop();
  }
  const by = (name: string) => runs.find((r) => r.name === name)!;
  const staticPage = by('static page (anchor)');
  const direct = by('upstream, direct (anchor)');
  const row = (r: LoadFigure, anchor: LoadFigure | undefined) => [
    r.name,
    r.requests.toLocaleString('en'),
    Math.round(r.requestsPerSecond).toLocaleString('en'),
    ms(r.p50Ms),
    ms(r.p95Ms),
    String(r.non2xx + r.errors),
    anchor && anchor !== r ? `${anchor.name.replace(' (anchor)', '')}: ${Math.round(anchor.requestsPerSecond).toLocaleString('en')} req/s, p95 ${ms(anchor.p95Ms)}` : '',
    anchor && anchor !== r ? `${ratio(r.requestsPerSecond, anchor.requestsPerSecond)} req/s, ${ratio(r.p95Ms, anchor.p95Ms)} p95` : '',
  ];
  return {
    table: {
      title: `Server part under load (autocannon, ${CONNECTIONS} connections, PostgreSQL)`,
      header: ['request', 'requests', 'req/s', 'p50', 'p95', 'not 2xx', 'anchor', 'ratio'],
      rows: [
        row(staticPage, undefined),
        row(by('GET /api/v1/applications'), staticPage),
        row(by('GET /account/'), staticPage),
        row(by('account-menu island'), staticPage),
        row(direct, undefined),
        row(by('relay to the upstream'), direct),
      ],
      notes: [
        `Signed-in rows: each connection carries its own consumer's session cookie (${CONNECTIONS} accounts, one application each); ${work.options.duration} s per run.`,
        "Each run follows a 1 s warm-up of the same requests (the relay's: 60 requests of one more consumer), not counted.",
        'Anchor of the signed-in rows: a static page (/plans/) served by the same portal process; of the relay: the same upstream called directly.',
        `The relay allows ${RELAY_PER_MINUTE} requests a minute per consumer, so its run is ${CONNECTIONS} consumers x ${RELAY_PER_MINUTE} requests (${CONNECTIONS * RELAY_PER_MINUTE}), none refused.`,
        'The load generator runs on the same 2 cores as the portal (and the upstream, in its own process); the portal writes one access-log line per request.',
        `\`portico serve\` ready (process start to the first 200 of /readyz): ${portal.readySeconds.toFixed(2)} s on a new database (migrations run), ${secondReady.toFixed(2)} s for a second replica of the same build on the same database.`,
      ],
    },
    results: { runs, serveReadySeconds: { first: portal.readySeconds, replica: secondReady } },
  };
}
