import type { Presence } from '../reconciler.ts';
import type { PlainSecret } from '../secrets/secret.ts';
import { haproxyTarget } from './haproxy.ts';
import { kongTarget } from './kong.ts';
import type { GatewayTarget, RenderContext } from './target.ts';
import { traefikHubTarget } from './traefik-hub.ts';
import type { Grant, RenderedFiles } from './types.ts';

/**
 * Every gateway Portico can commit grants for, in the order they are rendered and read back.
 * Adding a gateway is one module exporting its GatewayTarget, listed here (decision record 20).
 */
export const GATEWAY_TARGETS: readonly GatewayTarget[] = [traefikHubTarget, haproxyTarget, kongTarget];

/** The targets rendered when `PORTICO_GATEWAYS` is not set. */
export const DEFAULT_GATEWAYS: readonly string[] = ['traefik-hub', 'haproxy'];

/** The names `PORTICO_GATEWAYS` accepts. */
export const GATEWAY_NAMES: readonly string[] = GATEWAY_TARGETS.map((t) => t.name);

/** Every setting some gateway target reads, for the configuration to validate and pass on. */
export const GATEWAY_SETTINGS: readonly string[] = [...new Set(GATEWAY_TARGETS.flatMap((t) => t.settings))];

/** The configured targets, in registry order whatever the order of `names`; unknown names are left to the configuration to refuse. */
export function gatewayTargets(names: readonly string[]): GatewayTarget[] {
  return GATEWAY_TARGETS.filter((t) => names.includes(t.name));
}

/** Renders grants for every target into one set of files (each target writes below its own folder). */
export function renderTargets(targets: readonly GatewayTarget[], context: RenderContext): (grants: Grant[]) => RenderedFiles {
  return (grants) => {
    const files: RenderedFiles = new Map();
    for (const target of targets) for (const [file, text] of target.render(grants, context)) files.set(file, text);
    return files;
  };
}

/**
 * How the reconciler reads grants from the files of the configured targets: a key is granted if
 * any target's files carry it (the first target in registry order names the file); subscriptions
 * come from the targets that name them by id, and from the others (HAProxy's plans.map names
 * applications) only when no configured target names them.
 */
export function presenceOf(targets: readonly GatewayTarget[]): Presence {
  const naming = targets.some((t) => t.namesSubscriptions);
  return (files, known) => {
    const present = { subscriptions: new Map<string, string>(), keys: new Map<string, string>() };
    for (const target of targets) {
      const found = target.presence(files, known);
      for (const [keyId, file] of found.keys) if (!present.keys.has(keyId)) present.keys.set(keyId, file);
      if (target.namesSubscriptions || !naming) for (const [id, file] of found.subscriptions) if (!present.subscriptions.has(id)) present.subscriptions.set(id, file);
    }
    return present;
  };
}

/**
 * The subscriptions a branch's files name by id, read without the database: what the writer keeps
 * of proposals merged on the Git host before the reconciler has seen them.
 */
export function subscriptionsNamedBy(targets: readonly GatewayTarget[]): (files: RenderedFiles) => { subscriptions: Map<string, string> } {
  const none = { keys: [], subscriptions: [] };
  return (files) => ({ subscriptions: presenceOf(targets.filter((t) => t.namesSubscriptions))(files, none).subscriptions });
}

/** The folders of one application's files across these targets: where the reconciler looks for the commit that removed a grant. */
export function applicationFolders(targets: readonly GatewayTarget[]): (namespace: string, applicationId: string) => string[] {
  return (namespace, applicationId) => targets.flatMap((t) => (t.applicationFolder ? [t.applicationFolder(namespace, applicationId)] : []));
}

/** Whether the configured targets carry a key: one verified by hash carries every key, the others only keys with an encrypted Secret. */
export function carriesKey(targets: readonly GatewayTarget[]): (key: { encryptedSecret: string | null }) => boolean {
  const anyKey = targets.some((t) => t.credential === 'sha256');
  return (key) => anyKey || key.encryptedSecret !== null;
}

/** The target among these that needs the key itself, if any: its Secret is the one encrypted when a key is shown. */
export function keySecretTarget(targets: readonly GatewayTarget[]): GatewayTarget | undefined {
  return targets.find((t) => t.credential === 'key');
}

/** The Secret (before encryption) that holds a new key for the target that needs the key itself. */
export function keySecretFor(target: GatewayTarget, key: string, name: string, namespace: string): PlainSecret {
  const shape = target.keySecret ?? { field: 'token' };
  return { name, namespace, stringData: { [shape.field]: key }, ...(shape.labels ? { labels: { ...shape.labels } } : {}) };
}
