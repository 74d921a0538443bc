/*
 * What the portal knows about the demo gateway, for GET /api/v1/gateway and the Try-it console.
 * `portico start` runs the gateway and the built server in one process, but they are different
 * module instances (the server is a bundle), so the state lives on a process-wide symbol rather
 * than in a module variable. Nothing about a request or a person is kept here.
 */

/** What GET /api/v1/gateway answers. */
export interface GatewayStatus {
  /** HAProxy is running and enforcing the committed policy. */
  running: boolean;
  /** Where the gateway listens (`http://localhost:<port>`), or null when it is not running. */
  url: string | null;
  /** The demo upstream, which a console may call directly when the gateway is not running (no key checks). */
  upstreamUrl: string | null;
  /** The target-branch commit whose haproxy files the gateway runs, when known. */
  commit: string | null;
  /** Plain words for people: what runs, or why the gateway does not. */
  note: string;
}

interface Registry {
  status(): GatewayStatus;
  /** Asks for an immediate check of the target branch (after a writer or reconcile pass). */
  kick(): void;
}

const KEY = Symbol.for('portico.demo-gateway');

type WithRegistry = typeof globalThis & { [KEY]?: Registry };

/** Makes the running demo gateway visible to the server part of this process; undefined clears it. */
export function registerGateway(registry: Registry | undefined): void {
  (globalThis as WithRegistry)[KEY] = registry;
}

/** The demo gateway's status; when none runs in this process, says how to get one. */
export function getGatewayStatus(): GatewayStatus {
  const registry = (globalThis as WithRegistry)[KEY];
  if (registry) return registry.status();
  return {
    running: false,
    url: null,
    upstreamUrl: null,
    commit: null,
    note: 'No demo gateway runs with this portal: `npm start` starts one (HAProxy in front of a demo upstream) on a single machine. Call your own gateway instead.',
  };
}

/**
 * Tells the demo gateway that the target branch may have moved, so HAProxy picks up a new commit
 * at once instead of at the next poll. Safe to call when no gateway runs (it does nothing).
 */
export function kickGatewaySync(): void {
  (globalThis as WithRegistry)[KEY]?.kick();
}
