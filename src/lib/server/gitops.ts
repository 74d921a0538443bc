import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { AccessService } from '../access/service.ts';
import type { Catalog } from '../catalog/model.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { ensureLocalRemote, GitWorkspace } from '../gitops/git.ts';
import { kickGatewaySync } from '../gateway/status.ts';
import { commitUrl } from '../gitops/links.ts';
import { reconcile, type Drift, type Presence } from '../gitops/reconciler.ts';
import { applicationFolders, carriesKey, gatewayTargets, keySecretFor, keySecretTarget, presenceOf, renderTargets, subscriptionsNamedBy } from '../gitops/render/targets.ts';
import type { GatewayTarget } from '../gitops/render/target.ts';
import type { Grant, PlanLimits, RenderedFiles } from '../gitops/render/types.ts';
import { sealSecret } from '../gitops/secrets/sealed-secret.ts';
import { encryptSecretWithSops } from '../gitops/secrets/sops-age.ts';
import { drainOutbox, type DrainResult } from '../gitops/writer.ts';
import { log } from '../observability/log.ts';
import { commitToPushSeconds, countGitPushFailure, pushFailureCause, registerCollector, requestToCommitSeconds } from '../observability/metrics.ts';

export interface GitopsRuntime {
  /** Where grants are committed, without credentials. */
  remote: string;
  /** Encrypts a new key for the gateway that needs the key itself (traefik-hub, kong), or undefined when none is configured. */
  encryptKey?: (key: string, keyId: string, applicationId: string, namespace: string) => Promise<string>;
  /** Asks for a writer pass soon (after a request queued a change). */
  kick(): void;
  /** The last pass's outcome, for the admin area and health checks. */
  lastPass(): { at?: Date; drain?: DrainResult; error?: string };
  /** Grants whose Git state differs from the database, as the last reconcile found them. */
  drift(): { checkedAt?: Date; drift: Drift[] };
  /** A link to a commit on the remote's web host, when it is one Portico knows. */
  commitUrl(sha: string): string | undefined;
  /** The docs switched to a newer catalog: its plans' limits apply from the next pass. */
  useCatalog(catalog: Catalog): void;
  stop(): void;
}

/** The demo's own age identity, made once in the data directory, so the local repository gets real SOPS files. */
async function demoAgeRecipient(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'age', 'identity.txt');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const identity = await generateIdentity();
    writeFileSync(file, `# Portico demo age identity: decrypts the Secrets committed to the local repository.\n${identity}\n`, { mode: 0o600 });
    log.info(`made an age identity for the demo in ${file} (the local repository's Secrets are encrypted for it)`);
  }
  const identity = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  return identityToRecipient(identity);
}

/**
 * How a new key is encrypted for the configured gateway that needs the key itself (its Secret's
 * field and labels come from its GatewayTarget), or undefined when none does or no recipient is known.
 */
export function keyEncrypter(targets: readonly GatewayTarget[], secrets: Config['secrets'], recipients: string[]): GitopsRuntime['encryptKey'] {
  const target = keySecretTarget(targets);
  if (!target) return undefined;
  const secretOf = (key: string, keyId: string, applicationId: string, namespace: string) => keySecretFor(target, key, `${applicationId}-key-${keyId.toLowerCase()}`, namespace);
  if (secrets.format === 'sealed-secret') return async (key, keyId, applicationId, namespace) => sealSecret(secretOf(key, keyId, applicationId, namespace), secrets.certificatePem);
  if (recipients.length) return (key, keyId, applicationId, namespace) => encryptSecretWithSops(secretOf(key, keyId, applicationId, namespace), recipients);
  return undefined;
}

/** Every plan's limits, for the renderers that enforce limits themselves. */
function planLimits(catalog: Catalog): PlanLimits {
  return new Map(catalog.plans.map((p) => [p.key, { rateLimit: p.rateLimit, quota: p.quota }]));
}

/**
 * Starts the Git side of the portal in this process: the embedded remote when none is configured,
 * and a loop that drains the outbox (one writer at a time, across instances) and reconciles.
 */
export async function startGitops(config: Config, db: Database, catalog: Catalog, access: AccessService): Promise<GitopsRuntime> {
  const url = config.git.url ?? (await ensureLocalRemote(path.join(config.dataDir, 'gitops.git'), config.contentDir, config.git.branch));
  const workspace = new GitWorkspace(path.join(config.dataDir, 'git', 'work'), {
    url,
    branch: config.git.branch,
    token: config.git.token,
    author: { name: 'Portico', email: 'portico@localhost' },
  });
  let limits = planLimits(catalog);
  const targets = gatewayTargets(config.gateways);
  const presence = presenceOf(targets);
  // Read at each render: a catalog switch (useCatalog) changes the limits from the next pass.
  const render = (grants: Grant[]): RenderedFiles => renderTargets(targets, { limits, settings: config.gatewaySettings })(grants);
  // A real remote's Secrets are for the cluster's key (checked at start-up); only the embedded demo makes its own.
  const secrets = config.secrets;
  const recipients = !keySecretTarget(targets) || secrets.format !== 'sops-age' ? [] : config.git.url ? config.ageRecipients : [await demoAgeRecipient(config.dataDir)];
  const encryptKey = keyEncrypter(targets, secrets, recipients);

  let last: { at?: Date; drain?: DrainResult; error?: string } = {};
  let drift: { checkedAt?: Date; drift: Drift[] } = { drift: [] };
  let running = false;
  let again = false;
  // After a failure the remote is left alone for a while, doubling up to ten intervals (at most 5 minutes).
  let failures = 0;
  let resumeAt = 0;
  const pass = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    if (Date.now() < resumeAt) return;
    running = true;
    try {
      const started = performance.now();
      await access.sweep();
      const swept = performance.now();
      const drain = await drainOutbox(db, workspace, config.git.directory, render, { presence: subscriptionsNamedBy(targets) });
      const drained = performance.now();
      const result = await reconcile(db, workspace, config.git.directory, presence, carriesKey(targets), applicationFolders(targets));
      drift = { checkedAt: new Date(), drift: result.drift };
      last = { at: new Date(), drain };
      record(drain, { sweep: swept - started, reconcile: performance.now() - drained });
      // The demo gateway of `npm start` (when it runs) loads what is now on the target branch.
      kickGatewaySync();
      failures = drain.outcome === 'failed' ? failures + 1 : 0;
    } catch (err) {
      last = { at: new Date(), error: (err as Error).message };
      failures++;
      log.error('GitOps pass failed', { error: (err as Error).message });
    } finally {
      const interval = config.git.intervalSeconds * 1000;
      resumeAt = failures ? Date.now() + Math.min(interval * 2 ** (failures - 1), interval * 10, 300_000) : 0;
      running = false;
      if (again) {
        again = false;
        void pass();
      } else {
        void wakeAtNextDeadline(interval);
      }
    }
  };
  // A key that expires (or ends its rotation overlap) before the next pass is swept at that moment,
  // so the gateway stops taking it within one commit of its expiry, not up to an interval later.
  let deadlineTimer: NodeJS.Timeout | undefined;
  const wakeAtNextDeadline = async (interval: number) => {
    clearTimeout(deadlineTimer);
    const next = await access.nextKeyDeadline().catch(() => undefined);
    if (!next) return;
    const delay = Math.max(0, next.getTime() - Date.now()) + 50;
    if (delay >= interval) return; // the regular pass comes first
    deadlineTimer = setTimeout(() => void pass(), delay);
    deadlineTimer.unref();
  };
  registerCollector(() => [{ name: 'portico_drift', help: 'Grants whose Git state differs from the database, at the last reconcile.', type: 'gauge', samples: [{ value: drift.drift.length }] }]);
  const timer = setInterval(() => void pass(), config.git.intervalSeconds * 1000);
  timer.unref();
  void pass();

  return {
    remote: url.replace(/(https?:\/\/)[^/@\s]+@/, '$1***@'),
    encryptKey,
    kick: () => void pass(),
    lastPass: () => last,
    drift: () => drift,
    commitUrl: (sha) => commitUrl(url, sha),
    useCatalog: (next) => {
      limits = planLimits(next);
    },
    stop: () => {
      clearInterval(timer);
      clearTimeout(deadlineTimer);
    },
  };
}

/**
 * How the reconciler reads grants from the files of the configured gateways (by name): see
 * `presenceOf` in gitops/render/targets.ts, which every gateway target plugs into.
 */
export function presenceFor(gateways: readonly string[]): Presence {
  return presenceOf(gatewayTargets(gateways));
}

/** Feeds one writer pass into the metrics and the log. */
function record(drain: DrainResult, around: { sweep: number; reconcile: number }): void {
  if (drain.outcome === 'published') {
    for (const seconds of drain.timings.requestToCommit) requestToCommitSeconds.observe(seconds);
    if (drain.timings.commitToPush !== undefined) commitToPushSeconds.observe(drain.timings.commitToPush);
    // Where the pass's time went, in whole milliseconds: the sweep before the writer, the writer's steps, the reconcile after.
    const ms = Object.fromEntries(Object.entries({ sweep: around.sweep, ...drain.timings.ms, reconcile: around.reconcile }).map(([k, v]) => [k, Math.round(v)]));
    if (drain.requests.length) log.info('grants published', { commit: drain.commit, requests: drain.requests.length, newCommit: drain.newCommit, ms });
  }
  if (drain.outcome === 'failed') {
    countGitPushFailure(pushFailureCause(drain.error));
    log.warn('grants not published yet', { error: drain.error, retryable: drain.retryable, requests: drain.requests.length });
  }
  for (const branch of drain.outcome === 'idle' || drain.outcome === 'locked' ? [] : drain.branches.filter((b) => b.error)) {
    countGitPushFailure(pushFailureCause(branch.error));
    log.warn(`could not ${branch.action} ${branch.branch}`, { error: branch.error, requestId: branch.requestId });
  }
}
