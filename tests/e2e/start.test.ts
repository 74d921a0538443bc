import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type RunningPortal } from '../support/portal.ts';

let portal: RunningPortal;
let base: string;

beforeAll(async () => {
  portal = await startPortal();
  base = portal.base;
}, 160_000);

afterAll(async () => {
  await portal?.stop();
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

describe('npm start on embedded defaults', () => {
  it('builds the demo docs and serves the public portal', async () => {
    const html = await (await fetch(base)).text();
    expect(portal.output()).toContain(`the portal is running at ${base}`);
    expect(html).toContain('<h1>Kestrel Developer Portal</h1>');
    for (const title of ['Shipments', 'Tracking', 'Warehouses', 'Kestrel Invoices']) expect(html).toContain(`<h2>${title}</h2>`);
  });

  it('keeps group-only APIs out of everything it serves statically', () => {
    const client = path.join(portal.dataDir, 'site/client');
    const text = filesBelow(client).map((f) => readFileSync(f, 'utf8')).join('\n');
    // The public getting-started guide names Partner Rates in prose; the API itself must not appear.
    expect(text).not.toContain('Kestrel Partner Rates API');
    expect(text).not.toContain('getRateCard');
    expect(text).not.toContain('Fleet Telemetry');
  });

  it('answers an unknown page with 404', async () => {
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
  });
});
