import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { describeDbError } from '../../src/lib/db/client.ts';
import { errorToResponse } from '../../src/lib/http/problem.ts';
import { createLogger } from '../../src/lib/observability/log.ts';
import { redactText } from '../../src/lib/observability/redact.ts';

/*
 * Drizzle writes a failed query's values into its error message ("Failed query: ...\nparams: ...").
 * Those values are people's data (email addresses, hashes, ids from cookies), so they never reach a
 * log line, whichever way the error gets there.
 */

const QUERY = 'select "id", "email" from "accounts" where "accounts"."email" = $1 and "accounts"."id" = $2 limit $3';

/** A failed query as drizzle reports it, with values nobody should find in a log. */
function failedQuery(): { err: DrizzleQueryError; values: string[] } {
  const values = [`ada+${generateSecureRandomString()}@example.test`, `${generateSecureRandomString()}\nsecond line ${generateSecureRandomString()}`];
  const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
  return { err: new DrizzleQueryError(QUERY, [...values, 1], cause), values };
}

function captureStderr<T>(run: () => T): { result: T; written: string } {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    return { result: run(), written: written.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe("a failed query's values", () => {
  it('are in the message drizzle writes (what this guards against)', () => {
    const { err, values } = failedQuery();
    for (const v of values) expect(err.message).toContain(v);
  });

  it('are cut from text, message and stack alike, keeping the query', () => {
    const { err, values } = failedQuery();
    for (const text of [err.message, err.stack!, `unexpected error: ${err.name}: ${err.message}`]) {
      const clean = redactText(text);
      for (const v of values) for (const part of v.split('\n')) expect(clean).not.toContain(part);
      expect(clean).toContain(`Failed query: ${QUERY}\nparams: [redacted]`);
    }
    expect(redactText(err.stack!)).toMatch(/\n\s+at /); // the stack frames stay
  });

  it('never reach a log line, in the message or in an error field', () => {
    const { err, values } = failedQuery();
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    logger.error(`unexpected error: ${err.name}: ${err.message}`, { error: err });
    createLogger({ format: 'pretty', write: (line) => lines.push(line) }).warn('a query failed', { error: err, detail: err.message });
    const out = lines.join('\n');
    for (const v of values) for (const part of v.split('\n')) expect(out).not.toContain(part);
    expect(out).toContain('Failed query: select');
  });

  it('never reach the log when a request ends with one, nor the client', async () => {
    const { err, values } = failedQuery();
    const { result: response, written } = captureStderr(() => errorToResponse(err, 'req-12345678'));
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toMatch(/Failed query|params/);
    expect(JSON.parse(written.trim())).toMatchObject({ level: 'error', requestId: 'req-12345678' });
    for (const v of values) for (const part of v.split('\n')) expect(written).not.toContain(part);
  });

  it('are not in the reason the portal gives for a database it cannot use', () => {
    const { values } = failedQuery();
    const bare = new DrizzleQueryError(QUERY, values); // no driver error underneath
    const reason = describeDbError(bare);
    for (const v of values) for (const part of v.split('\n')) expect(reason).not.toContain(part);
    expect(reason).toContain('Failed query:');
    expect(describeDbError(failedQuery().err)).toBe('invalid byte sequence for encoding "UTF8": 0x00');
    expect(describeDbError(new Error('could not connect to postgres://portico:hunter22@db.internal:5432/portico'))).not.toContain('hunter22');
  });
});
