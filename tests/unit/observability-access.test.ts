import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config.ts';
import { metricsRequestAllowed } from '../../src/lib/observability/metrics-auth.ts';
import { requestIdFor } from '../../src/lib/observability/request-id.ts';

describe('who may read /metrics', () => {
  const token = randomBytes(24).toString('hex');

  it('is open when no token is configured', () => {
    expect(metricsRequestAllowed(null, undefined)).toBe(true);
    expect(metricsRequestAllowed('Bearer anything', undefined)).toBe(true);
  });

  it('answers only the configured bearer token when one is set', () => {
    expect(metricsRequestAllowed(`Bearer ${token}`, token)).toBe(true);
    expect(metricsRequestAllowed(`bearer ${token}`, token)).toBe(true);
    expect(metricsRequestAllowed(null, token)).toBe(false);
    expect(metricsRequestAllowed('', token)).toBe(false);
    expect(metricsRequestAllowed('Bearer ', token)).toBe(false);
    expect(metricsRequestAllowed(`Bearer ${token.slice(0, -1)}`, token)).toBe(false); // one character short
    expect(metricsRequestAllowed(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsRequestAllowed(`Bearer ${token.toUpperCase()}`, token)).toBe(false);
    expect(metricsRequestAllowed(`Basic ${Buffer.from(`x:${token}`).toString('base64')}`, token)).toBe(false);
    expect(metricsRequestAllowed(token, token)).toBe(false); // the scheme is required
  });
});

describe('request ids', () => {
  it("keeps a caller's well-formed X-Request-Id", () => {
    expect(requestIdFor('edge-7f3a9c21')).toBe('edge-7f3a9c21');
    expect(requestIdFor('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('makes a new one for anything else: missing, too short, too long, or with characters a log could trip on', () => {
    for (const bad of [null, undefined, '', 'short', 'a'.repeat(65), 'id with spaces', 'line\nbreak-12345', '<script>alert(1)</script>', 'ünïcode-12345']) {
      const id = requestIdFor(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(requestIdFor(null)).not.toBe(requestIdFor(null));
  });
});

describe('the settings for operations', () => {
  it('reads PORTICO_METRICS_TOKEN and PORTICO_LOG_FORMAT', () => {
    const token = randomBytes(16).toString('hex');
    expect(loadConfig({ PORTICO_METRICS_TOKEN: token, PORTICO_LOG_FORMAT: 'pretty' })).toMatchObject({ metricsToken: token, logFormat: 'pretty' });
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, logFormat: 'json' });
  });

  it('names a wrong setting without echoing the token', () => {
    expect(() => loadConfig({ PORTICO_METRICS_TOKEN: 'short-secret' })).toThrow(/PORTICO_METRICS_TOKEN=\*\*\*: must be at least 16 characters/);
    expect(() => loadConfig({ PORTICO_METRICS_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
    expect(() => loadConfig({ PORTICO_METRICS_TOKEN: 'two words that are long enough' })).toThrow(/PORTICO_METRICS_TOKEN=\*\*\*: must be one word/);
    expect(() => loadConfig({ PORTICO_LOG_FORMAT: 'xml' })).toThrow(/PORTICO_LOG_FORMAT="xml": must be json or pretty/);
  });
});
