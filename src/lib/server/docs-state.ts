import type { Catalog } from '../catalog/model.ts';

/**
 * What the running process serves its docs from, shared by `portico serve` (which switches sites)
 * and every copy of the built server it has loaded (decision record 19). Each built server bundles
 * its own copy of this module, so the state lives on `globalThis` under a registered symbol, not
 * in a module variable.
 */
export interface DocsState {
  /** The content folder the served site was built from; the server's catalog is read from it. */
  contentDir?: string;
  /** The catalog of the served site, once a switch has loaded one (before that, read from contentDir). */
  catalog?: Catalog;
  /** The commit the served docs were built from, when they follow a branch. */
  commit?: string;
  /** When the served site was built. */
  builtAt?: Date;
  /** The branch followed, when the docs follow one: `url` without credentials. */
  following?: { url: string; branch: string; path: string };
  /** True while a newer commit is being built. */
  building?: { commit: string; since: Date };
  /** The last switch to a newer site: where its time went (seconds), and what the build rendered or reused. */
  lastUpdate?: {
    commit: string;
    at: Date;
    seconds: { check: number; build: number; catalog: number; switch: number; total: number };
    apisRendered?: number;
    apisReused?: number;
  };
  /** The last build attempt that did not become the served site, and why. */
  lastFailure?: { commit: string; at: Date; error: string };
  /** When the branch was last checked, and what it pointed at. */
  lastCheck?: { at: Date; commit?: string; error?: string };
  /** Called by the server context once it exists, so a switch can hand it the new catalog. */
  catalogListeners: Array<(catalog: Catalog) => void>;
}

const KEY = Symbol.for('portico.docs-state');

/** The process's docs state (made on first use). */
export function docsState(): DocsState {
  const holder = globalThis as unknown as Record<symbol, DocsState | undefined>;
  holder[KEY] ??= { catalogListeners: [] };
  return holder[KEY];
}

/** The catalog the served site was built from has changed: tell whoever holds one (the server context). */
export function publishCatalog(catalog: Catalog): void {
  docsState().catalog = catalog;
  for (const listener of docsState().catalogListeners) listener(catalog);
}
