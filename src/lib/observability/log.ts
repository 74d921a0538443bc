import { loadConfig } from '../config.ts';
import { redactText, redactValue } from './redact.ts';

/**
 * The portal's server log: one JSON object per line (`{time, level, msg, requestId?, ...fields}`),
 * or readable lines with PORTICO_LOG_FORMAT=pretty. info goes to stdout, warn and error to stderr.
 * Every message and field is redacted first (./redact.ts), so a key, token, password, cookie or
 * credential in a URL never reaches the log, even when a caller passes one by mistake.
 * CLI output (src/cli) is not logging and does not go through here.
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (a requestId, say) to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  format?: LogFormat | (() => LogFormat);
  /** Where a finished line goes; by default stdout for info, stderr for warn and error. */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
  /** Exact values to redact wherever they appear (the configured Git token, client secrets...). */
  secrets?: () => readonly string[];
  fields?: LogFields;
}

const RESERVED = new Set(['time', 'level', 'msg']);

/** One log line in the given format. Exported for tests; callers use a Logger. */
export function formatLine(format: LogFormat, time: Date, level: LogLevel, msg: string, fields: LogFields, secrets: readonly string[] = []): string {
  const clean = redactValue(fields, secrets) as LogFields;
  const text = redactText(msg, secrets);
  const rest = Object.entries(clean).filter(([k, v]) => !RESERVED.has(k) && v !== undefined);
  if (format === 'pretty') {
    const shown = rest.map(([k, v]) => `${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
    return [`portico: ${level === 'info' ? '' : `${level}: `}${text}`, ...shown].join(' ');
  }
  // requestId first after the fixed members, so a person scanning raw lines finds it.
  rest.sort(([a], [b]) => (a === 'requestId' ? -1 : b === 'requestId' ? 1 : 0));
  return JSON.stringify({ time: time.toISOString(), level, msg: text, ...Object.fromEntries(rest) });
}

/** A logger; `log` below is the process's. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = typeof options.format === 'function' ? options.format : () => (options.format as LogFormat | undefined) ?? 'json';
  const write = options.write ?? ((line, level) => (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const secrets = options.secrets ?? (() => []);
  const bound = options.fields ?? {};
  const emit = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    try {
      write(formatLine(format(), now(), level, msg, { ...bound, ...fields }, secrets()), level);
    } catch {
      // A log line must never take a request down with it.
    }
  };
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => createLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

let settings: { format: LogFormat; secrets: string[] } | undefined;

/**
 * The format and the configured secrets, from the one config loader, read once. A configuration
 * that does not load (the start-up stops on it anyway) gives JSON and no extra secrets.
 */
function processSettings(): { format: LogFormat; secrets: string[] } {
  if (settings) return settings;
  try {
    const config = loadConfig();
    const secrets = [config.git.token, config.oidc?.clientSecret, config.github?.clientSecret, config.metricsToken].filter((s): s is string => !!s);
    settings = { format: config.logFormat, secrets };
  } catch {
    settings = { format: 'json', secrets: [] };
  }
  return settings;
}

/** The process's logger: what the server part writes its operational messages with. */
export const log: Logger = createLogger({ format: () => processSettings().format, secrets: () => processSettings().secrets });
