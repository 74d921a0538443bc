import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/config.ts';
import { writeBuildInfo } from '../../src/lib/server/site-build-info.ts';
import { decideReuse, siteInputs } from '../../src/lib/server/site-reuse.ts';
import { projectRoot } from '../support/portal.ts';

// Whether `portico start` serves the site it has instead of building again (decision record 21).
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A built site as buildSite leaves it: client/, server/entry.mjs and, when given, its build info. */
function site(info?: Parameters<typeof writeBuildInfo>[1]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-reuse-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'client'));
  mkdirSync(path.join(dir, 'server'));
  writeFileSync(path.join(dir, 'server', 'entry.mjs'), '');
  if (info) writeBuildInfo(dir, info);
  return dir;
}

const FINGERPRINT = 'f'.repeat(64);
const INPUTS = 'i'.repeat(64);
const builtAt = '2026-12-06T09:00:00.000Z';

describe('reusing a built site', () => {
  it('reuses a whole site built from the same content and inputs', () => {
    const decision = decideReuse(site({ contentFingerprint: FINGERPRINT, inputs: INPUTS, builtAt }), FINGERPRINT, INPUTS, false);
    expect(decision).toEqual({ reuse: true, info: { contentFingerprint: FINGERPRINT, inputs: INPUTS, builtAt } });
  });

  it('builds, with no reason to give, where there is no site or an unfinished one', () => {
    expect(decideReuse(path.join(tmpdir(), 'portico-no-such-site'), FINGERPRINT, INPUTS, false)).toEqual({ reuse: false });
    const unfinished = site({ contentFingerprint: FINGERPRINT, inputs: INPUTS, builtAt });
    rmSync(path.join(unfinished, 'server', 'entry.mjs'));
    expect(decideReuse(unfinished, FINGERPRINT, INPUTS, false)).toEqual({ reuse: false });
    expect(decideReuse(site(), FINGERPRINT, INPUTS, false)).toEqual({ reuse: false });
  });

  it('builds, saying why, when the content, the inputs or a spec URL may have changed', () => {
    expect(decideReuse(site({ contentFingerprint: 'e'.repeat(64), inputs: INPUTS, builtAt }), FINGERPRINT, INPUTS, false)).toEqual({ reuse: false, why: 'the content changed since the last build' });
    expect(decideReuse(site({ contentFingerprint: FINGERPRINT, inputs: 'j'.repeat(64), builtAt }), FINGERPRINT, INPUTS, false)).toEqual({
      reuse: false,
      why: 'Portico or a build setting changed since the last build',
    });
    // A site built before Portico kept its inputs is built again once.
    expect(decideReuse(site({ contentFingerprint: FINGERPRINT, builtAt }), FINGERPRINT, INPUTS, false)).toMatchObject({ reuse: false });
    const fetched = site({ contentFingerprint: FINGERPRINT, inputs: INPUTS, specUrls: ['https://api.example.test/openapi.json', 'https://b.example.test/o.yaml'], builtAt });
    expect(decideReuse(fetched, FINGERPRINT, INPUTS, false)).toEqual({ reuse: false, why: 'the content names 2 spec URLs, fetched again at each start' });
    // Offline, a build reads only the kept copies: nothing new to fetch.
    expect(decideReuse(fetched, FINGERPRINT, INPUTS, true)).toMatchObject({ reuse: true });
  });
});

describe('the inputs of a site besides its content', () => {
  const inputsWith = (settings: Record<string, string>) => {
    const env = { PORTICO_DATA_DIR: '/tmp/portico-inputs', PATH: process.env.PATH, ...settings };
    return siteInputs(loadConfig(env, projectRoot), projectRoot, env);
  };

  it('change with the settings the build reads', () => {
    const plain = inputsWith({});
    expect(inputsWith({})).toBe(plain);
    expect(inputsWith({ PORTICO_OFFLINE: '1' })).not.toBe(plain);
    expect(inputsWith({ PORTICO_DEMO_GATEWAY_URL: 'http://localhost:18080' })).not.toBe(plain);
    expect(inputsWith({ PORTICO_GIT_DIRECTORY: 'gateway-policies' })).not.toBe(plain);
    expect(inputsWith({ PORTICO_KUSTOMIZE: '/bin/true' })).not.toBe(plain);
  });

  it('do not change with settings only the running server reads', () => {
    const plain = inputsWith({});
    expect(inputsWith({ PORTICO_ADMIN_EMAILS: 'admin@example.test', PORTICO_GIT_INTERVAL: '1', PORT: '4999', PORTICO_METRICS_TOKEN: 'x'.repeat(32) })).toBe(plain);
  });
});
