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
import { haproxyPresence, renderHaproxy } from '../gitops/render/haproxy.ts';
import { renderTraefikHub, traefikHubPresence } from '../gitops/render/traefik-hub.ts';
import type { Grant, PlanLimits, RenderedFiles } from '../gitops/render/types.ts';
import { sealSecret } from '../gitops/secrets/sealed-secret.ts';
import { encryptSecretWithSops } from '../gitops/secrets/sops-age.ts';
import { drainOutbox, type DrainResult } from '../gitops/writer.ts';
import { log } from '../observability/log.ts';
import { commitToPushSeconds, countGitPushFailure, pushFailureCause, registerCollector, requestToCommitSeconds } from '../observability/metrics.ts';

export interface GitopsRuntime {
  /** Where grants are committed, without credentials. */
  remote: string;
  /** Encrypts a new key for gateways that need the key itself (traefik-hub), or undefined when none is configured. */
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
  const presence = presenceFor(config.gateways);
  const render = (grants: Grant[]): RenderedFiles => {
    const files: RenderedFiles = new Map();
    if (config.gateways.includes('traefik-hub')) for (const [f, t] of renderTraefikHub(grants)) files.set(f, t);
    if (config.gateways.includes('haproxy')) for (const [f, t] of renderHaproxy(grants, limits)) files.set(f, t);
    return files;
  };
  // A real remote's Secrets are for the cluster's key (checked at start-up); only the embedded demo makes its own.
  const secrets = config.secrets;
  const recipients = !config.gateways.includes('traefik-hub') || secrets.format !== 'sops-age' ? [] : config.git.url ? config.ageRecipients : [await demoAgeRecipient(config.dataDir)];
  const secretName = (applicationId: string, keyId: string) => `${applicationId}-key-${keyId.toLowerCase()}`;
  let encryptKey: GitopsRuntime['encryptKey'];
  if (config.gateways.includes('traefik-hub') && secrets.format === 'sealed-secret') {
    encryptKey = async (key, keyId, applicationId, namespace) => sealSecret({ name: secretName(applicationId, keyId), namespace, stringData: { token: key } }, secrets.certificatePem);
  } else if (recipients.length) {
    encryptKey = (key, keyId, applicationId, namespace) => encryptSecretWithSops({ name: secretName(applicationId, keyId), namespace, stringData: { token: key } }, recipients);
  }

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
      await access.sweep();
      const drain = await drainOutbox(db, workspace, config.git.directory, render, { presence: traefikHubPresence });
      const result = await reconcile(db, workspace, config.git.directory, presence, (k) => config.gateways.includes('haproxy') || k.encryptedSecret !== null);
      drift = { checkedAt: new Date(), drift: result.drift };
      last = { at: new Date(), drain };
      record(drain);
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
 * How the reconciler reads grants from the files of the configured gateways: a key is granted if
 * either target's files carry it; subscriptions come from traefik-hub's ManagedSubscriptions, which
 * name each one, and from haproxy's plans.map (which names applications) only without traefik-hub.
 */
export function presenceFor(gateways: readonly string[]): Presence {
  return (files, known) => {
    const present = gateways.includes('traefik-hub') ? traefikHubPresence(files) : { subscriptions: new Map<string, string>(), keys: new Map<string, string>() };
    if (gateways.includes('haproxy')) {
      const fromHaproxy = haproxyPresence(files, known);
      for (const [keyId, file] of fromHaproxy.keys) if (!present.keys.has(keyId)) present.keys.set(keyId, file);
      if (!gateways.includes('traefik-hub')) for (const [id, file] of fromHaproxy.subscriptions) present.subscriptions.set(id, file);
    }
    return present;
  };
}

/** Feeds one writer pass into the metrics and the log. */
function record(drain: DrainResult): void {
  if (drain.outcome === 'published') {
    for (const seconds of drain.timings.requestToCommit) requestToCommitSeconds.observe(seconds);
    if (drain.timings.commitToPush !== undefined) commitToPushSeconds.observe(drain.timings.commitToPush);
    if (drain.requests.length) log.info('grants published', { commit: drain.commit, requests: drain.requests.length, newCommit: drain.newCommit });
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
