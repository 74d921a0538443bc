import { describe, expect, it } from 'vitest';
import { operationMatchesSet, templateCanMatch } from '../../src/lib/catalog/openapi.ts';

describe('operation set matchers against path templates', () => {
  it('matches exact paths, with parameters standing for one segment', () => {
    expect(templateCanMatch('/orders/{id}', '/orders/42', false)).toBe(true);
    expect(templateCanMatch('/orders/{id}', '/orders', false)).toBe(false);
    expect(templateCanMatch('/orders/{id}', '/orders/42/items', false)).toBe(false);
    expect(templateCanMatch('/orders/{id}/items', '/orders/a/items', false)).toBe(true);
    expect(templateCanMatch('/files/{name}.{ext}', '/files/report.pdf', false)).toBe(true);
  });

  it('matches prefixes that end inside or after a parameter', () => {
    expect(templateCanMatch('/weather/{id}', '/weather/0', true)).toBe(true);
    expect(templateCanMatch('/weather/{id}', '/weather', true)).toBe(true);
    expect(templateCanMatch('/weather/{id}', '/weather/0/x', true)).toBe(false);
    expect(templateCanMatch('/weatherstations', '/weather', true)).toBe(true);
    expect(templateCanMatch('/other', '/weather', true)).toBe(false);
  });

  it('applies methods, and an invalid regex matches nothing', () => {
    const set = { name: 'reads', matchers: [{ pathPrefix: '/orders', methods: ['GET'] }] };
    expect(operationMatchesSet('get', '/orders/{id}', set)).toBe(true);
    expect(operationMatchesSet('delete', '/orders/{id}', set)).toBe(false);
    expect(operationMatchesSet('get', '/x', { name: 'bad', matchers: [{ pathRegex: '([' }] })).toBe(false);
    expect(operationMatchesSet('get', '/orders/1', { name: 'rx', matchers: [{ pathRegex: '^/orders/[^/]+$' }] })).toBe(true);
  });
});
