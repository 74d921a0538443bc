import type { Limit } from '../../catalog/model.ts';
import type { Grant, KnownGrants, PlanLimits, RenderedFiles } from './types.ts';

/** Which grants a target's files on a branch carry: subscription id -> file and key id -> file. */
export interface TargetPresence {
  subscriptions: Map<string, string>;
  keys: Map<string, string>;
}

/** What a renderer may read besides the grants: every plan's limits and the settings the target declared. */
export interface RenderContext {
  limits: PlanLimits;
  /** The values of the target's `settings`, by name; unset ones are absent. */
  settings: Readonly<Record<string, string>>;
}

/**
 * One gateway Portico commits grants for (DESIGN.md section 2, decision record 20). Everything the
 * server, the reconciler, the configuration and lint need to know about a gateway is here, so a new
 * gateway is one module plus its golden tests and docs page, listed once in `targets.ts`.
 */
export interface GatewayTarget {
  /** The name `PORTICO_GATEWAYS` uses, and the folder (below the Portico directory) its files go to. */
  name: string;
  /**
   * What the gateway verifies a key with. `key`: the key itself, so a key can be granted only with
   * the encrypted Secret made when it was shown; `sha256`: a hash, so every key can be granted.
   */
  credential: 'key' | 'sha256';
  /** For `credential: 'key'`: the Secret field the gateway reads the key from, and the labels it looks for. */
  keySecret?: { field: string; labels?: Readonly<Record<string, string>> };
  /** Environment settings the renderer reads (documented on the target's docs page); the config passes their values. */
  settings: readonly string[];
  /**
   * Whether the target's files name subscriptions by id (a ManagedSubscription's annotation). The
   * reconciler then trusts them for subscriptions; a target that names only applications is asked
   * only when no configured target names subscriptions.
   */
  namesSubscriptions: boolean;
  /** Renders grants into files below `<name>/`: pure and deterministic; throws, in words, on a grant it cannot express. */
  render(grants: Grant[], context: RenderContext): RenderedFiles;
  /** The folder (below the Portico directory) holding one application's files, when the target has one per application. */
  applicationFolder?(namespace: string, applicationId: string): string;
  /** Which grants the target's files on a branch carry; `known` is the reconcile pass's own read of the database. */
  presence(files: RenderedFiles, known: KnownGrants): TargetPresence;
  /** Why the gateway cannot enforce a plan's limit as written, or undefined: the renderer refuses such grants, lint warns. */
  limitProblem?(limit: Limit, kind: 'rateLimit' | 'quota'): string | undefined;
  /** Lint's hint for a plan `limitProblem` refuses. */
  limitHint?: string;
}
