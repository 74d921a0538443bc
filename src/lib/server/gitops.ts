import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { inArray } from 'drizzle-orm';
import { apiKeys } from '../../../db/schema.ts';
import type { Catalog } from '../catalog/model.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { ensureLocalRemote, GitWorkspace } from '../gitops/git.ts';
import { reconcile } from '../gitops/reconciler.ts';
import { renderHaproxy } from '../gitops/render/haproxy.ts';
import { renderTraefikHub, traefikHubPresence } from '../gitops/render/traefik-hub.ts';
import type { Grant, PlanLimits, RenderedFiles } from '../gitops/render/types.ts';
import { encryptSecretWithSops } from '../gitops/secrets/sops-age.ts';
import { drainOutbox, type DrainResult } from '../gitops/writer.ts';

export interface GitopsRuntime {
  /** Where grants are committed, without credentials. */
  remote: string;
  /** Encrypts a new key for gateways that need the key itself (traefik-hub), or undefined when none is configured. */
  encryptKey?: (key: string, keyId: string, applicationId: string, namespace: string) => Promise<string>;
  /** Asks for a writer pass soon (after a request queued a change). */
  kick(): void;
  /** The last pass's outcome, for the admin area and health checks. */
  lastPass(): { at?: Date; drain?: DrainResult; error?: string };
  stop(): void;
}

/** The demo's own age identity, made once in the data directory, so the local repository gets real SOPS files. */
async function demoAgeRecipient(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'age', 'identity.txt');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const identity = await generateIdentity();
    writeFileSync(file, `# Portico demo age identity: decrypts the Secrets committed to the local repository.\n${identity}\n`, { mode: 0o600 });
    console.log(`portico: made an age identity for the demo in ${file} (the local repository's Secrets are encrypted for it)`);
  }
  const identity = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
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
export async function startGitops(config: Config, db: Database, catalog: Catalog): Promise<GitopsRuntime> {
  const url = config.git.url ?? (await ensureLocalRemote(path.join(config.dataDir, 'gitops.git'), config.contentDir, config.git.branch));
  const workspace = new GitWorkspace(path.join(config.dataDir, 'git', 'work'), {
    url,
    branch: config.git.branch,
    token: config.git.token,
    author: { name: 'Portico', email: 'portico@localhost' },
  });
  const limits = planLimits(catalog);
  const render = (grants: Grant[]): RenderedFiles => {
    const files: RenderedFiles = new Map();
    if (config.gateways.includes('traefik-hub')) for (const [f, t] of renderTraefikHub(grants)) files.set(f, t);
    if (config.gateways.includes('haproxy')) for (const [f, t] of renderHaproxy(grants, limits)) files.set(f, t);
    return files;
  };
  // A real remote's Secrets are for the cluster's key (checked at start-up); only the embedded demo makes its own.
  const recipients = !config.gateways.includes('traefik-hub') ? [] : config.git.url ? config.ageRecipients : [await demoAgeRecipient(config.dataDir)];

  let last: { at?: Date; drain?: DrainResult; error?: string } = {};
  let running = false;
  let again = false;
  const pass = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const drain = await drainOutbox(db, workspace, config.git.directory, render);
      // HAProxy carries every key by its hash: map the committed hashes back to key ids.
      const hashes = new Map((await db.select({ keyId: apiKeys.keyId, sha256: apiKeys.sha256 }).from(apiKeys).where(inArray(apiKeys.status, ['committed', 'active']))).map((k) => [k.sha256, k.keyId]));
      await reconcile(
        db,
        workspace,
        config.git.directory,
        (files) => {
          const present = traefikHubPresence(files);
          for (const line of (files.get('haproxy/keys.map') ?? '').split('\n')) {
            const keyId = hashes.get(line.split(' ')[0] ?? '');
            if (keyId) present.keys.set(keyId, 'haproxy/keys.map');
          }
          return present;
        },
        (k) => config.gateways.includes('haproxy') || k.encryptedSecret !== null,
      );
      last = { at: new Date(), drain };
    } catch (err) {
      last = { at: new Date(), error: (err as Error).message };
      console.error(`portico: GitOps pass failed: ${(err as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void pass();
      }
    }
  };
  const timer = setInterval(() => void pass(), config.git.intervalSeconds * 1000);
  timer.unref();
  void pass();

  return {
    remote: url.replace(/(https?:\/\/)[^/@\s]+@/, '$1***@'),
    encryptKey: recipients.length
      ? (key, keyId, applicationId, namespace) =>
          encryptSecretWithSops({ name: `${applicationId}-key-${keyId.toLowerCase()}`, namespace, stringData: { token: key } }, recipients)
      : undefined,
    kick: () => void pass(),
    lastPass: () => last,
    stop: () => clearInterval(timer),
  };
}
