import { describe, expect, it } from 'vitest';
import { generateSecureRandomString, splitToken } from '../../src/lib/auth/tokens.ts';

describe('session, mail link and access tokens', () => {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();

  it('are 24 characters from the look-alike-free alphabet', () => {
    for (let i = 0; i < 200; i++) expect(generateSecureRandomString()).toMatch(/^[a-km-np-z2-9]{24}$/);
  });

  it('split into id and secret when both parts are what the portal generates', () => {
    expect(splitToken(`${id}.${secret}`)).toEqual({ id, secret });
    // A personal access token is `pat_` and the same two parts.
    const pat = `pat_${id}.${secret}`;
    expect(splitToken(pat.slice('pat_'.length))).toEqual({ id, secret });
  });

  it.each<[string, () => string]>([
    ['a NUL byte before the id (a cookie of %00...)', () => `\u0000${id}.${secret}`],
    ['a NUL byte after the id', () => `${id}\u0000.${secret}`],
    ['a NUL byte in the secret', () => `${id}.${secret.slice(0, 10)}\u0000${secret.slice(11)}`],
    ['other bytes (a broken UTF-8 cookie)', () => `\ufffd\ufffd${id}.${secret}`],
    ['a CR LF and a header after the secret', () => `${id}.${secret}\r\nSet-Cookie: x=1`],
    ['capital letters', () => `${id}.${secret.toUpperCase()}`],
    ['look-alike characters the alphabet leaves out', () => `${id.slice(0, 23)}l.${secret.slice(0, 23)}0`],
    ['SQL', () => `' OR '1'='1.${secret}`],
    ['a part too short', () => `${id.slice(1)}.${secret}`],
    ['a part too long', () => `${id}.${secret}${'x'.repeat(4000)}`],
    ['no secret', () => `${id}.`],
    ['no id', () => `.${secret}`],
    ['no dot', () => id + secret],
    ['three parts', () => `${id}.${secret}.${secret}`],
    ['only dots', () => '..'],
    ['nothing', () => ''],
  ])('are not tokens with %s', (_what, token) => {
    expect(splitToken(token())).toBeUndefined();
  });
});
