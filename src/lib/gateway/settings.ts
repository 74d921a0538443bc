import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../errors.ts';

/** The demo gateway's settings (README, Configuration). */
export interface GatewaySettings {
  /** Port HAProxy listens on, on loopback. */
  port: number;
  /** PORTICO_HAPROXY_BIN as given, or undefined to look for `haproxy` on the PATH and in the sbin folders. */
  haproxyBin?: string;
}

export const DEFAULT_GATEWAY_PORT = 8080;

/** Reads PORTICO_GATEWAY_PORT and PORTICO_HAPROXY_BIN; a wrong port stops the start with a message naming it. */
export function loadGatewaySettings(env: Record<string, string | undefined> = process.env): GatewaySettings {
  const rawPort = env.PORTICO_GATEWAY_PORT?.trim();
  let port = DEFAULT_GATEWAY_PORT;
  if (rawPort) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      throw new PorticoError(
        `invalid configuration:\n  PORTICO_GATEWAY_PORT=${JSON.stringify(rawPort)}: must be a port number from 1 to 65535`,
        'fix the environment variables above (see Configuration in the README)',
      );
    }
  }
  const bin = env.PORTICO_HAPROXY_BIN?.trim();
  return { port, haproxyBin: bin || undefined };
}

/**
 * Where the haproxy binary is: PORTICO_HAPROXY_BIN when set (it must exist), else `haproxy` on the
 * PATH or in /usr/sbin and /usr/local/sbin (Debian installs it there, outside a normal user's PATH).
 * Returns the reason in words when there is none.
 */
export function findHaproxy(settings: GatewaySettings, env: Record<string, string | undefined> = process.env): { bin: string } | { missing: string } {
  if (settings.haproxyBin) {
    return isExecutable(settings.haproxyBin) ? { bin: settings.haproxyBin } : { missing: `PORTICO_HAPROXY_BIN=${settings.haproxyBin} is not an executable file` };
  }
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'haproxy');
    if (isExecutable(candidate)) return { bin: candidate };
  }
  return { missing: 'HAProxy is not installed (apt-get install haproxy, or brew install haproxy)' };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
