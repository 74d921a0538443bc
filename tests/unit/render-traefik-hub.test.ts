import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../src/lib/catalog/crd-schema.ts';
import { renderTraefikHub } from '../../src/lib/gitops/render/traefik-hub.ts';
import type { Grant } from '../../src/lib/gitops/render/types.ts';
import { expectGoldenTree } from '../support/golden.ts';

const goldenRoot = path.resolve(import.meta.dirname, '../golden/render-traefik-hub');
const cases = readdirSync(goldenRoot).filter((d) => !d.endsWith('-expected') && statSync(path.join(goldenRoot, d)).isDirectory());

describe.each(cases)('the traefik-hub renderer, golden case %s', (name) => {
  const grants = JSON.parse(readFileSync(path.join(goldenRoot, name, 'grants.json'), 'utf8')) as Grant[];
  const rendered = renderTraefikHub(grants);
  const expectedDir = path.join(goldenRoot, `${name}-expected`);

  it('renders exactly the expected files', () => {
    expectGoldenTree(expectedDir, rendered);
  });

  it('renders the same bytes again from the same grants, in any order', () => {
    expect(renderTraefikHub([...grants].reverse())).toEqual(rendered);
  });

  it('validates every Traefik Hub manifest against the published CRD schema', () => {
    for (const [file, text] of rendered) {
      for (const doc of parseAllDocuments(text)) {
        const value = doc.toJS() as { apiVersion?: string };
        if (!value.apiVersion?.startsWith('hub.traefik.io/')) continue;
        expect({ file, issues: validateResource(value) }).toEqual({ file, issues: [] });
      }
    }
  });
});

describe('what the traefik-hub renderer writes', () => {
  const grants = JSON.parse(readFileSync(path.join(goldenRoot, 'two-apps', 'grants.json'), 'utf8')) as Grant[];
  const files = renderTraefikHub(grants);

  it('never writes a subscription without an API or bundle, and always an explicit weight', () => {
    for (const [file, text] of files) {
      if (!file.includes('/subscription-')) continue;
      const spec = (parseAllDocuments(text)[0]!.toJS() as { spec: Record<string, unknown> }).spec;
      expect(Boolean(spec.apis || spec.apiBundles)).toBe(true);
      expect(spec.weight).toBe(100);
    }
  });

  it('grants only keys that have an encrypted Secret, and never a key value', () => {
    const app = parseAllDocuments(files.get('traefik-hub/logistics/app-k7m2q9/application.yaml')!)[0]!.toJS();
    expect(app.spec.apiKeys).toEqual([
      { title: 'old laptop (Ab34Cd56)', secretName: 'app-k7m2q9-key-ab34cd56', suspended: true },
      { title: 'production (Zx81Qa0b)', secretName: 'app-k7m2q9-key-zx81qa0b' },
    ]);
    expect([...files.values()].join('\n')).not.toMatch(/\bvalue:/);
  });

  it('keeps subscriptions with different operation filters apart', () => {
    expect([...files.keys()].filter((f) => f.includes('subscription-'))).toEqual([
      'traefik-hub/logistics/app-b3x8w1/subscription-partner-unlimited.yaml',
      'traefik-hub/logistics/app-k7m2q9/subscription-growth.yaml',
      'traefik-hub/logistics/app-k7m2q9/subscription-starter.yaml',
    ]);
  });
});
