import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/lib/errors.ts';
import { readBodyWithin, readJsonBody } from '../../src/lib/http/problem.ts';

const LIMIT = 1024;
const tooLarge = () => new ProblemError(413, 'body-too-large', `The request body is larger than ${LIMIT} bytes.`);

/** A body that never ends, and how many bytes the reader has pulled from it so far. */
function endlessBody(chunkBytes = 100): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x79));
    },
  });
  return { stream, pulled: () => pulled };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1/api/v1/auth/signin', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, duplex: 'half' } as RequestInit);
}

async function problemOf(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProblemError);
  const { status, code, message } = err as ProblemError;
  return { status, code, message };
}

describe('reading a request body within a limit', () => {
  it('returns a body up to the limit, byte for byte', async () => {
    const text = `{"name":"${'é'.repeat(300)}"}`; // 611 bytes in UTF-8
    const bytes = await readBodyWithin(post(text), LIMIT, tooLarge);
    expect(bytes.byteLength).toBe(Buffer.byteLength(text));
    expect(new TextDecoder().decode(bytes)).toBe(text);
    expect((await readBodyWithin(post('x'.repeat(LIMIT)), LIMIT, tooLarge)).byteLength).toBe(LIMIT);
  });

  it('counts bytes, not characters', async () => {
    // 600 characters, 1,200 bytes: over the limit although shorter than it in characters.
    expect(await problemOf(readBodyWithin(post('é'.repeat(600)), LIMIT, tooLarge))).toMatchObject({ status: 413 });
  });

  it('refuses at once a body whose Content-Length is over the limit, reading none of it', async () => {
    const { stream, pulled } = endlessBody();
    const request = post(stream, { 'content-length': String(500 * 1024 * 1024) });
    expect(await problemOf(readBodyWithin(request, LIMIT, tooLarge))).toEqual({ status: 413, code: 'body-too-large', message: `The request body is larger than ${LIMIT} bytes.` });
    expect(pulled()).toBeLessThanOrEqual(2 * 100); // at most what the stream queues up by itself
  });

  it('stops reading a body that never ends once it passes the limit', async () => {
    const { stream, pulled } = endlessBody();
    expect(await problemOf(readBodyWithin(post(stream), LIMIT, tooLarge))).toMatchObject({ status: 413, code: 'body-too-large' });
    expect(pulled()).toBeLessThan(LIMIT + 4 * 100);
  });

  it('says so in words when the body breaks off', async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('other side closed'));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"email":'));
      },
    });
    expect(await problemOf(readBodyWithin(post(broken), LIMIT, tooLarge))).toMatchObject({ status: 400, code: 'body-unreadable', message: expect.stringMatching(/could not be read to its end/) });
  });

  it('reads no body as empty', async () => {
    expect((await readBodyWithin(post(null), LIMIT, tooLarge)).byteLength).toBe(0);
  });
});

describe('reading a JSON body', () => {
  it('reads a JSON object', async () => {
    expect(await readJsonBody(post('{"email":"ada@example.test","password":"a long enough password"}'))).toEqual({ email: 'ada@example.test', password: 'a long enough password' });
    expect(await readJsonBody(post(''))).toEqual({});
  });

  it('refuses more than 64 KiB with a 413 that says so, by Content-Length or as it comes in', async () => {
    const big = JSON.stringify({ password: 'x'.repeat(64 * 1024) });
    expect(await problemOf(readJsonBody(post(big)))).toEqual({ status: 413, code: 'body-too-large', message: 'The request body is larger than 64 KiB.' });
    const { stream, pulled } = endlessBody(16 * 1024);
    expect(await problemOf(readJsonBody(post(stream)))).toMatchObject({ status: 413, message: 'The request body is larger than 64 KiB.' });
    expect(pulled()).toBeLessThan(128 * 1024);
    expect(await problemOf(readJsonBody(post(endlessBody().stream, { 'content-length': String(500 * 1024 * 1024) })))).toMatchObject({ status: 413 });
  });

  it('refuses a NUL character, which the database cannot store, saying where it is', async () => {
    expect(await problemOf(readJsonBody(post(JSON.stringify({ email: 'ada\u0000@example.test', password: 'a long enough password' }))))).toEqual({
      status: 400,
      code: 'nul-character',
      message: 'The request body has a NUL character (\\u0000) in email; the portal cannot store one.',
    });
    expect(await problemOf(readJsonBody(post(JSON.stringify({ groups: ['ops', 'dev\u0000'] }))))).toMatchObject({ message: expect.stringContaining('in groups[1];') });
    expect(await problemOf(readJsonBody(post(JSON.stringify({ app: { 'na\u0000me': 'x' } }))))).toMatchObject({ message: expect.stringContaining('in the name of a member of app;') });
    // A backslash and "u0000" written out is text like any other.
    expect(await readJsonBody(post(JSON.stringify({ note: '\\u0000' })))).toEqual({ note: '\\u0000' });
  });

  it('refuses other media types and what is not a JSON object', async () => {
    expect(await problemOf(readJsonBody(post('email=ada', { 'content-type': 'application/x-www-form-urlencoded' })))).toMatchObject({ status: 415, code: 'json-only' });
    expect(await problemOf(readJsonBody(post('{"email":')))).toMatchObject({ status: 400, message: 'The request body is not valid JSON.' });
    expect(await problemOf(readJsonBody(post('[1,2]')))).toMatchObject({ status: 400, message: 'The request body must be a JSON object.' });
  });
});
