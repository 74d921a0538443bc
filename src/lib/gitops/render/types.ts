import type { CatalogKey, Limit } from '../../catalog/model.ts';

/**
 * What Git must enforce for one application: its subscriptions and its keys. Grants are the
 * input of every gateway renderer; renderers are pure (`grants -> Map<path, text>`), know nothing
 * about Git, and must be deterministic: stable order, no timestamps, so an unchanged state
 * renders to identical files.
 */
export interface Grant {
  /** Portico's application id: the gateway's appId / consumer id. Stable, URL-safe. */
  applicationId: string;
  /** The owning account's id. */
  ownerId: string;
  applicationName: string;
  /** Namespace the application's manifests go to (the namespace of the catalog items it uses). */
  namespace: string;
  subscriptions: GrantSubscription[];
  keys: GrantKey[];
}

export interface GrantSubscription {
  /** Portico's subscription id; also traces the grant to its request in commit trailers. */
  id: string;
  /** The catalog item (offer) subscribed to. */
  offer: CatalogKey;
  apis: CatalogKey[];
  bundles: CatalogKey[];
  plan: CatalogKey;
  /** Operation sets the subscription is limited to; empty for every operation. */
  operationFilter: string[];
}

export interface GrantKey {
  /** The key's public id (first 8 random characters), safe to show and log. */
  keyId: string;
  /** SHA-256 of the whole key, lower-case hex: what hash-verifying gateways check. */
  sha256: string;
  title: string;
  /** ISO date-time after which the gateway must refuse the key; absent for no expiry. */
  expiresAt?: string;
  suspended: boolean;
  /**
   * For gateways that need the key itself: the Kubernetes Secret holding it, already encrypted
   * (SOPS+age or SealedSecret) at the moment the key was shown, since the plaintext exists only then.
   */
  encryptedSecret?: { name: string; document: string };
}

/** Limits of a plan, by key, for renderers that enforce limits themselves (HAProxy). */
export type PlanLimits = Map<CatalogKey, { rateLimit?: Limit; quota?: Limit }>;

/** The files a renderer produces: repository path (relative to the configured directory) -> text. */
export type RenderedFiles = Map<string, string>;

/**
 * The grants the database knows, as one reconcile pass read them just before reading the branch:
 * for the targets whose files name a grant by hash (keys.map) or by application (plans.map).
 */
export interface KnownGrants {
  keys: Array<{ keyId: string; sha256: string; applicationId: string; status: string }>;
  subscriptions: Array<{ id: string; applicationId: string; status: string }>;
}
