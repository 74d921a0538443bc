import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import { restrictToOwner } from '../lib/data-dir.ts';
import { describeError, PorticoError } from '../lib/errors.ts';
import { startDemoGateway, type DemoGateway } from '../lib/gateway/demo-gateway.ts';
import { DEFAULT_GATEWAY_PORT, loadGatewaySettings } from '../lib/gateway/settings.ts';
import { serveBuiltSite } from '../lib/server/serve.ts';
import { buildSite, defaultSiteDir } from './build-command.ts';

/**
 * `portico start [--rebuild]`: builds the docs from the content repository and serves the portal.
 * With no configuration everything is embedded: the data directory holds what the portal keeps.
 */
export async function runStartCommand(args: string[]): Promise<number> {
  let rebuild: boolean | undefined;
  try {
    rebuild = parseArgs({ args, options: { rebuild: { type: 'boolean' } } }).values.rebuild;
  } catch (err) {
    throw new PorticoError((err as Error).message, 'usage: portico start [--rebuild]');
  }
  const started = Date.now();
  const gatewaySettings = loadGatewaySettings();
  // The demo content names the demo gateway at http://localhost:8080. On another port, the build,
  // the server and the gateway (all in this process) read where it is from the configuration, so
  // the docs, Try it and the relay use the address that answers (src/lib/catalog/demo-servers.ts).
  if (gatewaySettings.port !== DEFAULT_GATEWAY_PORT && !process.env.PORTICO_DEMO_GATEWAY_URL?.trim()) {
    process.env.PORTICO_DEMO_GATEWAY_URL = `http://localhost:${gatewaySettings.port}`;
  }
  const config = loadConfig();
  // The running portal's site lives in its data directory, so two portals (or a portal and a
  // developer's `npm run build`) never write over each other's files.
  const outDir = defaultSiteDir(config);
  // A port that is taken is said before the build, not after it; and again after, for a process that took it meanwhile.
  await ensurePortFree(config.host, config.port);
  // A restart with nothing changed serves the site it built before (decision record 21).
  await buildSite(config, outDir, { reuse: !rebuild });
  await ensurePortFree(config.host, config.port);
  process.env.HOST = config.host;
  process.env.PORT = String(config.port);
  await serveBuiltSite(outDir, { host: config.host, port: config.port, publicUrl: config.publicUrl });
  await waitUntilReady(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
  restrictToOwner(config.dataDir); // what the build copied and PGlite's first cluster were given modes the umask does not cover
  // After the portal is ready: its Git side has made the embedded remote the gateway reads.
  let gateway: DemoGateway | undefined;
  try {
    gateway = await startDemoGateway(config, gatewaySettings, (line) => console.log(`portico: ${line}`));
    stopWithPortal(gateway);
  } catch (err) {
    console.error(`portico: the demo gateway did not start: ${describeError(err)}`);
  }
  // The gateway's line first: the ready line is the last line start-up prints, once the portal and
  // the gateway both answer; scripts and tests wait for it.
  if (gateway) console.log(`portico: ${gateway.summary()}`);
  console.log(readyLine({ seconds: (Date.now() - started) / 1000, publicUrl: config.publicUrl, gatewayUrl: gateway?.status().url ?? undefined, dataDir: config.dataDir }));
  return 0; // the HTTP server keeps the process alive
}

/**
 * The one line that says everything answers: the portal, and the demo gateway when it runs (when it
 * does not, the line before says why).
 */
export function readyLine(facts: { seconds: number; publicUrl: string; gatewayUrl?: string; dataDir: string }): string {
  const gateway = facts.gatewayUrl ? `, the demo gateway at ${facts.gatewayUrl}` : '; the demo gateway is not running (see above)';
  return `portico: ready in ${Math.round(facts.seconds)} s: the portal is running at ${facts.publicUrl}${gateway} (data in ${facts.dataDir})`;
}

/**
 * The gateway's processes end with the portal's: on SIGINT, SIGTERM and SIGHUP they are stopped gracefully,
 * and on any exit (the server's own signal handler exits once its database is closed) HAProxy is
 * signalled synchronously, so no haproxy outlives the portal.
 */
function stopWithPortal(gateway: DemoGateway): void {
  process.once('exit', () => gateway.killNow());
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143); // a second Ctrl-C does not wait
    stopping = true;
    void gateway.stop().finally(() => {
      // The server's handler normally exits first; this is for when it has none.
      setTimeout(() => process.exit(0), 2_000);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal sends SIGHUP, whose default ends Node without its exit handlers: HAProxy would outlive it.
  process.on('SIGHUP', onSignal);
}

/** Fails early, with the setting to change, when another process holds the port. */
async function ensurePortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PorticoError(
          err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`,
          'stop the other process, or choose another port with PORT=...',
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Asks the portal whether it is ready (its database answers). A wrong DATABASE_URL or a data
 * directory held by another process stops the start here, with the reason, not at the first request.
 */
export async function waitUntilReady(base: string): Promise<void> {
  let last = 'no answer';
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
      last = ((await res.json()) as { detail?: string }).detail ?? `status ${res.status}`;
      if (res.status === 503) break;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new PorticoError(`the portal started but is not ready: ${last}`, 'check DATABASE_URL (or PORTICO_DATA_DIR for the embedded database) and start again');
}
