import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentFingerprint, readBuildInfo, writeBuildInfo } from '../../src/lib/server/site-build-info.ts';

// The fingerprint decides whether a followed commit is built at all (decision record 19).
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function content(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-fingerprint-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const files = { 'apis/a/api.yaml': 'kind: API\n', 'apis/a/openapi.yaml': 'openapi: 3.1.0\n', 'portal.yaml': 'kind: APIPortal\n' };

describe('the content fingerprint', () => {
  it('is the same for the same files wherever they are, and ignores .git and the excluded folders', () => {
    const a = content(files);
    const b = content({ ...files, '.git/HEAD': 'ref: refs/heads/main\n', 'consumers/haproxy/keys.map': 'abc app-1\n' });
    expect(contentFingerprint(b, ['consumers'])).toBe(contentFingerprint(a, ['consumers']));
    expect(contentFingerprint(b)).not.toBe(contentFingerprint(a));
  });

  it('changes with one byte of a file, and with a file renamed', () => {
    const a = content(files);
    const before = contentFingerprint(a);
    writeFileSync(path.join(a, 'apis/a/openapi.yaml'), 'openapi: 3.1.1\n');
    const edited = contentFingerprint(a);
    expect(edited).not.toBe(before);
    renameSync(path.join(a, 'portal.yaml'), path.join(a, 'portals.yaml'));
    expect(contentFingerprint(a)).not.toBe(edited);
  });

  it('is kept beside a built site, and a site without one has none', () => {
    const site = content({});
    expect(readBuildInfo(site)).toBeUndefined();
    writeBuildInfo(site, { contentFingerprint: 'f'.repeat(64), commit: 'c'.repeat(40), builtAt: '2026-12-06T00:00:00.000Z' });
    expect(readBuildInfo(site)).toEqual({ contentFingerprint: 'f'.repeat(64), commit: 'c'.repeat(40), builtAt: '2026-12-06T00:00:00.000Z' });
  });
});
