/**
 * The one error type Portico shows to people: what is wrong, and what to do about it.
 * Commands print `message` and `hint`, never a stack trace.
 */
export class PorticoError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'PorticoError';
    this.hint = hint;
  }
}

/** Formats any thrown value for a terminal: a PorticoError with its hint, anything else by its message. */
export function describeError(err: unknown): string {
  if (err instanceof PorticoError) return err.hint ? `${err.message}\n  hint: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An error a request can end with: an HTTP status and a stable `code`, shown to people as an
 * RFC 9457 problem document (`title` from the status, `detail` = message).
 */
export class ProblemError extends PorticoError {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, options: { hint?: string; headers?: Record<string, string> } = {}) {
    super(message, options.hint);
    this.name = 'ProblemError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
  }
}
