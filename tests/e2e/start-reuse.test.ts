import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot, startPortal } from '../support/portal.ts';

// `portico start` again with nothing changed serves the site it built before (decision record 21);
// a change to the content, to a build setting or `--rebuild` builds it again, and says why.
const work = mkdtempSync(path.join(tmpdir(), 'portico-start-reuse-'));
const content = path.join(work, 'content');
const spec = path.join(content, 'apis/parcels/openapi.yaml');
let env: Record<string, string>;

beforeAll(async () => {
  // A small repository (one API): each build here is a real one, and the rule is the same for any content.
  cpSync(path.join(projectRoot, 'tests/fixtures/catalog/hub-basic'), content, { recursive: true });
  // One data directory and one gateway port for every start: the site shows the gateway's address.
  env = { PORTICO_CONTENT_DIR: content, PORTICO_DATA_DIR: path.join(work, 'data'), PORTICO_GATEWAY_PORT: String(await freePort()), PORTICO_OFFLINE: '1' };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts the portal, reads what it printed and one page, and stops it. */
async function startOnce(extraEnv: Record<string, string> = {}, args: string[] = []): Promise<{ stdout: string; home: string; search: string }> {
  const portal = await startPortal({ ...env, ...extraEnv }, 200_000, args);
  try {
    const home = await (await fetch(`${portal.base}/`)).text();
    const search = await (await fetch(`${portal.base}/search-index.json`)).text();
    return { stdout: portal.stdout(), home, search };
  } finally {
    await portal.stop();
  }
}

describe('portico start, started again', () => {
  let first: { stdout: string; home: string; search: string };

  it('builds the site the first time', async () => {
    first = await startOnce();
    expect(first.stdout).toContain(`portico: building the docs from ${content}\n`);
    expect(first.stdout).toMatch(/^portico: site built in \d+\.\d s: \d+ pages indexed for search$/m);
    expect(first.search).toContain('List parcels');
  }, 240_000);

  it('serves that site without building when nothing it is made from changed', async () => {
    const again = await startOnce();
    expect(again.stdout).toMatch(
      new RegExp(
        `^portico: serving the site built \\d{4}-\\d\\d-\\d\\dT\\S+Z from ${content.replace(/[.]/g, '\\.')}: nothing it is made from changed \\(\`portico start --rebuild\` builds it again\\)$`,
        'm',
      ),
    );
    expect(again.stdout).not.toContain('building the docs');
    expect(again.stdout).not.toContain('site built in');
    expect(again.stdout).toMatch(/^portico: ready in \d+ s: /m);
    expect(again.home).toBe(first.home);
    expect(again.search).toBe(first.search);
  }, 240_000);

  it('builds again, saying why, when a file of the content changed', async () => {
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('summary: List parcels', 'summary: List every parcel'));
    const changed = await startOnce();
    expect(changed.stdout).toContain(`portico: building the docs from ${content} (the content changed since the last build)\n`);
    expect(changed.search).toContain('List every parcel');
    expect(first.search).not.toContain('List every parcel');
  }, 240_000);

  // A setting the build reads changes the inputs' hash like a change of content changes the
  // fingerprint (site-reuse.test.ts checks which settings do); here, the build on request.
  it('builds again on --rebuild, though nothing changed', async () => {
    const rebuilt = await startOnce({}, ['--rebuild']);
    expect(rebuilt.stdout).toContain(`portico: building the docs from ${content}\n`);
    expect(rebuilt.stdout).toMatch(/^portico: site built in \d+\.\d s/m);
  }, 240_000);

  it('refuses an argument it does not know, with the usage', async () => {
    await expect(startPortal(env, 60_000, ['--rebuilt'])).rejects.toThrow(/portico start: .*--rebuilt[\s\S]*hint: usage: portico start \[--rebuild\]/);
  });
});
