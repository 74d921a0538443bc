import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findHaproxy, loadGatewaySettings } from '../../src/lib/gateway/settings.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'portico-haproxy-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo gateway settings', () => {
  it('listens on 8080 unless PORTICO_GATEWAY_PORT says otherwise', () => {
    expect(loadGatewaySettings({})).toEqual({ port: 8080, haproxyBin: undefined });
    expect(loadGatewaySettings({ PORTICO_GATEWAY_PORT: '18080', PORTICO_HAPROXY_BIN: '/opt/haproxy/sbin/haproxy' })).toEqual({ port: 18080, haproxyBin: '/opt/haproxy/sbin/haproxy' });
  });

  it('stops the start with the setting named when the port is not a port', () => {
    for (const bad of ['http', '0', '70000', '80.5']) {
      expect(() => loadGatewaySettings({ PORTICO_GATEWAY_PORT: bad })).toThrow(`PORTICO_GATEWAY_PORT="${bad}": must be a port number from 1 to 65535`);
    }
  });

  it('finds haproxy on the PATH, and says in words when it is missing or PORTICO_HAPROXY_BIN is wrong', () => {
    const bin = path.join(dir, 'haproxy');
    writeFileSync(bin, '#!/bin/sh\necho "HAProxy version 0.0-test"\n');
    chmodSync(bin, 0o755);
    expect(findHaproxy({ port: 8080 }, { PATH: dir })).toEqual({ bin });
    expect(findHaproxy({ port: 8080, haproxyBin: bin }, { PATH: '' })).toEqual({ bin });
    expect(findHaproxy({ port: 8080, haproxyBin: path.join(dir, 'missing') }, {})).toEqual({ missing: `PORTICO_HAPROXY_BIN=${path.join(dir, 'missing')} is not an executable file` });
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    const found = findHaproxy({ port: 8080 }, { PATH: empty });
    // /usr/sbin is searched too, where Debian installs it; otherwise the answer says how to install it.
    if ('missing' in found) expect(found.missing).toBe('HAProxy is not installed (apt-get install haproxy, or brew install haproxy)');
    else expect(['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']).toContain(found.bin);
  });
});
