import { loadConfig } from '../config.ts';
import { redactText, redactValue } from './redact.ts';

/**
 * The portal's server log: one JSON object per line (`{time, level, msg, requestId?, ...fields}`),
 * or readable lines (`portico: ...`). PORTICO_LOG_FORMAT chooses; without it a terminal gets
 * readable lines and anything else (a pipe, a file, a container's log collector) JSON. Readable
 * lines leave out successful reads (GET and HEAD under 400), which JSON keeps: a terminal shows
 * what changed and what failed. info goes to stdout, warn and error to stderr.
 * Every message and field is redacted first (./redact.ts), so a key, token, password, cookie or
 * credential in a URL never reaches the log, even when a caller passes one by mistake.
 * CLI output (src/cli) is not logging and does not go through here.
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

/** What the access log says about one request. */
export interface RequestFields extends LogFields {
  requestId?: string;
  method: string;
  path: string;
  route?: string;
  status: number;
  durationMs: number;
  accountId?: string;
}

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  /** The access log line of one request (left out of readable lines when it is a successful read). */
  request(fields: RequestFields): void;
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

/**
 * The format when PORTICO_LOG_FORMAT is not set (`setting` undefined): readable lines when stdout is
 * a terminal, JSON when it is not.
 */
export function chooseLogFormat(setting: LogFormat | undefined, isTTY: boolean): LogFormat {
  return setting ?? (isTTY ? 'pretty' : 'json');
}

/**
 * One request's line: JSON with every field; readable as `portico: POST /api/v1/applications 201
 * 35.2 ms requestId=...`, or nothing for a successful read. Exported for tests.
 */
export function formatRequestLine(format: LogFormat, time: Date, fields: RequestFields, secrets: readonly string[] = []): string | undefined {
  if (format === 'json') return formatLine('json', time, 'info', 'request', fields, secrets);
  const read = fields.method === 'GET' || fields.method === 'HEAD';
  if (read && fields.status < 400) return undefined;
  const { method, path, status, durationMs, route: _route, ...rest } = fields;
  return formatLine('pretty', time, 'info', `${method} ${path} ${status} ${durationMs} ms`, rest, secrets);
}

/** A logger; `log` below is the process's. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = typeof options.format === 'function' ? options.format : () => (options.format as LogFormat | undefined) ?? 'json';
  const write = options.write ?? ((line, level) => (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const secrets = options.secrets ?? (() => []);
  const bound = options.fields ?? {};
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      try {
        write(formatLine(format(), now(), level, msg, { ...bound, ...fields }, secrets()), level);
      } catch {
        // A log line must never take a request down with it.
      }
    };
  return {
    info: emit('info'),
    request: (fields) => {
      try {
        const line = formatRequestLine(format(), now(), { ...bound, ...fields } as RequestFields, secrets());
        if (line !== undefined) write(line, 'info');
      } catch {
        // A log line must never take a request down with it.
      }
    },
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => createLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

let settings: { format: LogFormat; secrets: string[] } | undefined;

/**
 * The format and the configured secrets, from the one config loader, read once. A configuration
 * that does not load (the start-up stops on it anyway) gives JSON and no extra secrets. The format
 * is the configured one only when PORTICO_LOG_FORMAT is set: its default depends on the terminal.
 */
function processSettings(): { format: LogFormat; secrets: string[] } {
  if (settings) return settings;
  try {
    const config = loadConfig();
    const secrets = [config.git.token, config.oidc?.clientSecret, config.github?.clientSecret, config.metricsToken].filter((s): s is string => !!s);
    const chosen = process.env.PORTICO_LOG_FORMAT?.trim() || process.env.PORTICO_LOG_FORMAT_FILE?.trim() ? config.logFormat : undefined;
    settings = { format: chooseLogFormat(chosen, process.stdout.isTTY === true), secrets };
  } catch {
    settings = { format: 'json', secrets: [] };
  }
  return settings;
}

/** The process's logger: what the server part writes its operational messages with. */
export const log: Logger = createLogger({ format: () => processSettings().format, secrets: () => processSettings().secrets });
