import { describe, expect, it, vi } from 'vitest';
import { ProblemError } from '../../src/lib/errors.ts';
import { errorToResponse } from '../../src/lib/http/problem.ts';
import { generateSecureRandomString } from '../../src/lib/auth/tokens.ts';
import { generateApiKey } from '../../src/lib/keys/format.ts';
import { chooseLogFormat, createLogger, type LogFormat, type LogLevel } from '../../src/lib/observability/log.ts';
import { redactText } from '../../src/lib/observability/redact.ts';

function capture(format: LogFormat = 'json', secrets: string[] = []) {
  const lines: Array<{ line: string; level: LogLevel }> = [];
  const logger = createLogger({ format, secrets: () => secrets, now: () => new Date('2026-11-22T10:00:00.000Z'), write: (line, level) => lines.push({ line, level }) });
  return { logger, lines, text: () => lines.map((l) => l.line).join('\n') };
}

describe('structured logs', () => {
  it('writes one JSON object per line: time, level, msg, then the requestId and the fields', () => {
    const { logger, lines } = capture();
    logger.info('request', { method: 'GET', status: 200, requestId: 'req-12345678' });
    logger.child({ requestId: 'req-abcdefgh' }).error('unexpected error: TypeError: x is undefined');
    expect(lines.map((l) => l.level)).toEqual(['info', 'error']);
    expect(lines[0]!.line).toBe('{"time":"2026-11-22T10:00:00.000Z","level":"info","msg":"request","requestId":"req-12345678","method":"GET","status":200}');
    expect(JSON.parse(lines[1]!.line)).toEqual({ time: '2026-11-22T10:00:00.000Z', level: 'error', msg: 'unexpected error: TypeError: x is undefined', requestId: 'req-abcdefgh' });
    expect(lines.every((l) => !l.line.includes('\n'))).toBe(true);
  });

  it('writes readable lines when asked for pretty', () => {
    const { logger, lines } = capture('pretty');
    logger.info('request', { method: 'GET', path: '/api/v1/catalog', status: 200, note: 'two words' });
    logger.warn('a metrics collector failed');
    expect(lines.map((l) => l.line)).toEqual(['portico: request method=GET path=/api/v1/catalog status=200 note="two words"', 'portico: warn: a metrics collector failed']);
  });

  it('chooses readable lines on a terminal and JSON elsewhere, unless PORTICO_LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('keeps every request in JSON; readable lines show writes and failures, not successful reads', () => {
    const requests = [
      { method: 'GET', path: '/_server-islands/AccountMenu', route: '/_server-islands/[name]', status: 200, durationMs: 4.2, requestId: 'req-1' },
      { method: 'HEAD', path: '/readyz', status: 200, durationMs: 1, requestId: 'req-2' },
      { method: 'POST', path: '/api/v1/applications', route: '/api/v1/applications', status: 201, durationMs: 35.2, requestId: 'req-3', accountId: 'acc-1' },
      { method: 'GET', path: '/account/', status: 500, durationMs: 12, requestId: 'req-4' },
      { method: 'GET', path: '/no-such-page', status: 404, durationMs: 2, requestId: 'req-5' },
    ];
    const json = capture('json');
    for (const r of requests) json.logger.request(r);
    expect(json.lines.map((l) => JSON.parse(l.line))).toEqual(requests.map((r) => ({ time: '2026-11-22T10:00:00.000Z', level: 'info', msg: 'request', ...r })));
    const pretty = capture('pretty');
    for (const r of requests) pretty.logger.request(r);
    expect(pretty.lines.map((l) => l.line)).toEqual([
      'portico: POST /api/v1/applications 201 35.2 ms requestId=req-3 accountId=acc-1',
      'portico: GET /account/ 500 12 ms requestId=req-4',
      'portico: GET /no-such-page 404 2 ms requestId=req-5',
    ]);
  });

  it('keeps fields from overwriting time, level and msg', () => {
    const { logger, lines } = capture();
    logger.info('real message', { msg: 'forged', level: 'error', time: 'never' });
    expect(JSON.parse(lines[0]!.line)).toMatchObject({ msg: 'real message', level: 'info', time: '2026-11-22T10:00:00.000Z' });
  });
});

describe('redaction: no secret reaches a log line', () => {
  it('removes an API key from the message, from fields, from nested objects and from errors', () => {
    const { key, keyId } = generateApiKey('ptc', 'live');
    const test = generateApiKey('acme', 'test').key;
    const { logger, text } = capture();
    logger.info(`created ${key} for the widget`, { keyId, note: `the key is ${test}`, nested: { deep: [key] }, error: new Error(`refused ${key}`) });
    logger.error(`key was cut: ${key.slice(0, 30)}`);
    const out = text();
    expect(out).not.toContain(key);
    expect(out).not.toContain(test);
    expect(out).not.toContain(key.slice(9, 30));
    expect(out).toContain(keyId); // the key id is safe to log, and is how people find a key
    expect(out).toContain('created [redacted] for the widget');
  });

  it('removes session tokens, mail link tokens, personal access tokens and bearer tokens', () => {
    const session = `${generateSecureRandomString()}.${generateSecureRandomString()}`;
    const pat = `pat_${generateSecureRandomString()}.${generateSecureRandomString()}`;
    const { logger, text } = capture();
    logger.info(`mail to ada@example.test: Confirm\nOpen http://127.0.0.1:4321/account/verify-email?token=${session}`);
    logger.info('call', { headers: new Headers({ authorization: `Bearer ${pat}`, cookie: `portico_session=${session}; theme=dark`, accept: 'text/html' }) });
    logger.info(`upstream said: Authorization: Bearer ${pat}`);
    logger.info(`seen ${session} and ${pat}`);
    const out = text();
    for (const secret of [session, session.split('.')[1]!, pat, pat.split('.')[1]!]) expect(out).not.toContain(secret);
    expect(out).toContain('"accept":"text/html"');
    expect(out).toContain('verify-email?token=[redacted]');
  });

  it('drops password, secret, token and cookie fields whatever their value looks like', () => {
    const { logger, lines } = capture();
    logger.info('sign-up', {
      email: 'ada@example.test',
      password: 'correct horse battery staple',
      newPassword: 'hunter22',
      clientSecret: 'x',
      accessToken: 'y',
      cookie: 'z',
      Authorization: 'Basic YWRhOnB3',
      requestId: 'req-12345678',
      keyId: 'AbCd1234',
    });
    expect(JSON.parse(lines[0]!.line)).toMatchObject({
      email: 'ada@example.test',
      password: '[redacted]',
      newPassword: '[redacted]',
      clientSecret: '[redacted]',
      accessToken: '[redacted]',
      cookie: '[redacted]',
      Authorization: '[redacted]',
      requestId: 'req-12345678',
      keyId: 'AbCd1234',
    });
  });

  it('removes credentials from URLs, query strings and key=value text, and configured secrets wherever they are', () => {
    const gitToken = `ghp_${generateSecureRandomString()}`;
    const { logger, text } = capture('json', [gitToken]);
    logger.warn('GitOps pass failed', { error: `fatal: unable to access https://x-access-token:${gitToken}@git.example.com/p.git` });
    logger.info('database at postgres://portico:s3cr3t-pw@db.internal:5432/portico');
    logger.info(`callback /auth/oidc/callback?code=abc123def&state=xyz789 with ${gitToken}`);
    logger.info('form', { body: 'email=ada%40example.test&password=letmein99' });
    const out = text();
    for (const secret of [gitToken, 's3cr3t-pw', 'abc123def', 'xyz789', 'letmein99']) expect(out).not.toContain(secret);
    expect(out).toContain('postgres://[redacted]@db.internal:5432/portico');
    expect(out).toContain('email=ada%40example.test');
  });

  it('leaves ordinary words alone', () => {
    const text = 'GET /api/v1/applications/app-123 answered 404: there is no application app-123 for this account';
    expect(redactText(text)).toBe(text);
  });
});

describe('errors a request ends with', () => {
  it('give the client the request id and plain words, and the log the message with the same id', async () => {
    const { key } = generateApiKey();
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let response: Response;
    try {
      response = errorToResponse(new TypeError(`cannot read the row for ${key}`), 'req-12345678');
    } finally {
      spy.mockRestore();
    }
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toMatchObject({ status: 500, code: 'internal', requestId: 'req-12345678' });
    expect(JSON.stringify(body)).not.toMatch(/TypeError|cannot read|at /);
    expect(body.detail).toContain('req-12345678');
    const line = JSON.parse(written.join('').trim());
    expect(line).toMatchObject({ level: 'error', requestId: 'req-12345678', msg: 'unexpected error: TypeError: cannot read the row for [redacted]' });
    expect(written.join('')).not.toContain(key);
  });

  it('keep a problem as it is, with the request id added', async () => {
    const response = errorToResponse(new ProblemError(404, 'no-application', 'There is no such application.'), 'req-abcdefgh');
    expect(await response.json()).toEqual({
      type: 'https://portico.dev/problems/no-application',
      title: 'Not found',
      status: 404,
      detail: 'There is no such application.',
      code: 'no-application',
      requestId: 'req-abcdefgh',
    });
  });
});
