import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { validateResource } from '../../src/lib/catalog/crd-schema.ts';
import { generateApiKey } from '../../src/lib/keys/format.ts';
import type { Limit } from '../../src/lib/catalog/model.ts';
import { kongPresence, kongTarget, renderKong } from '../../src/lib/gitops/render/kong.ts';
import { renderSkippingRefused } from '../../src/lib/gitops/render/refusals.ts';
import { gatewayTargets, renderTargets } from '../../src/lib/gitops/render/targets.ts';
import type { Grant, KnownGrants, PlanLimits, RenderedFiles } from '../../src/lib/gitops/render/types.ts';
import { sealingLabel, unsealValue } from '../../src/lib/gitops/secrets/sealed-secret.ts';
import { decryptSopsDocument } from '../support/sops-reader.ts';
import { keyEncrypter, presenceFor } from '../../src/lib/server/gitops.ts';
import { expectGoldenTree } from '../support/golden.ts';

const goldenRoot = path.resolve(import.meta.dirname, '../golden/render-kong');
const cases = readdirSync(goldenRoot).filter((d) => !d.endsWith('-expected') && statSync(path.join(goldenRoot, d)).isDirectory());

/** Reads a golden case's input: grants.json and limits.json (an object keyed by plan). */
function readCase(name: string): { grants: Grant[]; limits: PlanLimits } {
  const dir = path.join(goldenRoot, name);
  const grants = JSON.parse(readFileSync(path.join(dir, 'grants.json'), 'utf8')) as Grant[];
  const limits = JSON.parse(readFileSync(path.join(dir, 'limits.json'), 'utf8')) as Record<string, { rateLimit?: Limit; quota?: Limit }>;
  return { grants, limits: new Map(Object.entries(limits)) };
}

/**
 * What Kong itself accepts in a plugin's `config`, which the KongPlugin CRD leaves free-form: the
 * fields and rules of Kong's plugin schemas, github.com/Kong/kong commit
 * 22246ef28c16842098369b494eef879222e30c7b (Apache-2.0), kong/plugins/rate-limiting/schema.lua and
 * kong/plugins/request-termination/schema.lua, restated as data.
 */
const RATE_LIMIT_PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'];
const KONG_PLUGIN_FIELDS: Record<string, string[]> = {
  'rate-limiting': [...RATE_LIMIT_PERIODS, 'limit_by', 'header_name', 'path', 'policy', 'fault_tolerant', 'redis', 'hide_client_headers', 'error_code', 'error_message', 'sync_rate'],
  'request-termination': ['status_code', 'message', 'content_type', 'body', 'echo', 'trigger'],
};

/** Why Kong would refuse this plugin config, in Kong's terms; empty when it accepts it. */
function kongConfigProblems(plugin: string, config: Record<string, unknown>): string[] {
  const fields = KONG_PLUGIN_FIELDS[plugin];
  if (!fields) return [`Portico writes no ${plugin} plugin`];
  const problems = Object.keys(config)
    .filter((k) => !fields.includes(k))
    .map((k) => `unknown field ${k}`);
  if (plugin === 'rate-limiting') {
    const periods = RATE_LIMIT_PERIODS.filter((p) => config[p] !== undefined);
    for (const p of periods) if (typeof config[p] !== 'number' || !((config[p] as number) > 0)) problems.push(`${p} must be a number greater than 0`);
    // validate_periods_order: a longer period may not allow fewer requests than a shorter one.
    periods.forEach((p, i) => {
      for (const q of periods.slice(i + 1)) if ((config[q] as number) < (config[p] as number)) problems.push(`The limit for ${q} cannot be lower than the limit for ${p}`);
    });
    if (config.limit_by !== undefined && !['consumer', 'credential', 'ip', 'service', 'header', 'path'].includes(String(config.limit_by))) problems.push('limit_by');
    if (config.policy !== undefined && !['local', 'cluster', 'redis'].includes(String(config.policy))) problems.push('policy');
  } else {
    const status = config.status_code;
    if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) problems.push('status_code must be an integer between 100 and 599');
    if (typeof config.message === 'string' && (config.content_type !== undefined || config.body !== undefined)) problems.push('message cannot be used with content_type or body');
  }
  return problems;
}

/** Every YAML document of the rendered files, parsed, with the file it came from. */
function documentsOf(files: RenderedFiles): Array<{ file: string; doc: Record<string, unknown> }> {
  return [...files].flatMap(([file, text]) => parseAllDocuments(text).map((d) => ({ file, doc: d.toJS() as Record<string, unknown> })));
}

describe.each(cases)('the kong renderer, golden case %s', (name) => {
  const { grants, limits } = readCase(name);
  const rendered = renderKong(grants, { limits });

  it('renders exactly the expected files', () => {
    expectGoldenTree(path.join(goldenRoot, `${name}-expected`), rendered);
  });

  it('renders the same bytes again from the same grants, in any order', () => {
    const shuffled = [...grants].reverse().map((g) => ({ ...g, keys: [...g.keys].reverse(), subscriptions: [...g.subscriptions].reverse() }));
    expect(renderKong(shuffled, { limits: new Map([...limits].reverse()) })).toEqual(rendered);
  });

  it("validates every Kong manifest against Kong's published CRD schema, and writes nothing else but key Secrets and the kustomization", () => {
    for (const { file, doc } of documentsOf(rendered)) {
      if (String(doc.apiVersion).startsWith('configuration.konghq.com/')) {
        expect({ file, issues: validateResource(doc) }).toEqual({ file, issues: [] });
      } else {
        expect([`${String(doc.apiVersion)} ${String(doc.kind)}`]).toEqual([
          expect.stringMatching(/^(v1 Secret|bitnami\.com\/v1alpha1 SealedSecret|kustomize\.config\.k8s\.io\/v1beta1 Kustomization)$/),
        ]);
      }
    }
  });

  it("writes plugin configs that Kong's own plugin schemas accept", () => {
    const plugins = documentsOf(rendered).filter(({ doc }) => doc.kind === 'KongPlugin');
    for (const { file, doc } of plugins) expect({ file, problems: kongConfigProblems(String(doc.plugin), doc.config as Record<string, unknown>) }).toEqual({ file, problems: [] });
  });

  it('lists every file it writes in its kustomization', () => {
    const kustomization = parse(rendered.get('kong/kustomization.yaml')!) as { resources: string[] };
    expect(kustomization.resources).toEqual(
      [...rendered.keys()]
        .filter((f) => f !== 'kong/kustomization.yaml')
        .map((f) => f.slice('kong/'.length))
        .sort(),
    );
  });
});

describe('what the kong renderer writes', () => {
  const { grants, limits } = readCase('plans-and-keys');
  const files = renderKong(grants, { limits });
  const yaml = (file: string) => parse(files.get(file)!) as Record<string, any>;

  it('covers both Kong kinds, so the schema check above is not vacuous', () => {
    expect(new Set(documentsOf(files).map(({ doc }) => doc.kind))).toEqual(new Set(['KongConsumer', 'KongPlugin', 'Secret', 'SealedSecret', 'Kustomization']));
  });

  it("a consumer's credentials are its keys' encrypted Secrets, without the suspended one or one that has no Secret", () => {
    const consumer = yaml('kong/logistics/app-k7m2q9/consumer.yaml');
    expect(consumer.username).toBe('app-k7m2q9');
    expect(consumer.credentials).toEqual(['app-k7m2q9-key-zx81qa0b']);
    expect(files.has('kong/logistics/app-k7m2q9/secret-Zx81Qa0b.yaml')).toBe(true);
    expect([...files.keys()].filter((f) => f.includes('Ab34Cd56') || f.includes('NoSecret'))).toEqual([]);
    // The Secret is written exactly as it was encrypted: Portico never holds the key after it is shown.
    expect(files.get('kong/logistics/app-k7m2q9/secret-Zx81Qa0b.yaml')).toBe(grants[1]!.keys[0]!.encryptedSecret!.document);
  });

  it("a consumer on one plan carries that plan's rate-limiting plugin, which holds the plan's rate limit and quota", () => {
    expect(yaml('kong/logistics/app-k7m2q9/consumer.yaml').metadata.annotations).toEqual({
      'kubernetes.io/ingress.class': 'kong',
      'konghq.com/plugins': 'portico-plan-starter',
      'portico.dev/subscriptions': 'sub-1,sub-2',
    });
    const plugin = yaml('kong/logistics/plan-starter.yaml');
    expect([plugin.metadata.name, plugin.plugin, plugin.config]).toEqual(['portico-plan-starter', 'rate-limiting', { second: 10, day: 1000, limit_by: 'consumer', policy: 'local' }]);
  });

  it('an application on several plans gets one plugin holding the smallest count of each window', () => {
    expect(yaml('kong/logistics/app-m4n5p6/consumer.yaml').metadata.annotations['konghq.com/plugins']).toBe('app-m4n5p6-rate-limit');
    // starter: 10/s and 1000/day; growth: 600/min and 500/day. Kong refuses a day below a minute, and
    // 500 a day already caps every minute at 500, so the minute is written as 500.
    expect(kongConfigProblems('rate-limiting', { second: 10, minute: 600, day: 500 })).toEqual(['The limit for day cannot be lower than the limit for minute']);
    expect(yaml('kong/logistics/app-m4n5p6/rate-limit.yaml').config).toEqual({ second: 10, minute: 500, day: 500, limit_by: 'consumer', policy: 'local' });
    // growth is used only by that application, so no plan plugin is written for it.
    expect(files.has('kong/logistics/plan-growth.yaml')).toBe(false);
  });

  it('an application without a subscription is turned away with a 403, not let in by key-auth alone', () => {
    expect(yaml('kong/logistics/app-b3x8w1/consumer.yaml').metadata.annotations['konghq.com/plugins']).toBe('portico-no-subscription');
    const plugin = yaml('kong/logistics/no-subscription.yaml');
    expect([plugin.plugin, plugin.config.status_code]).toEqual(['request-termination', 403]);
    expect(files.has('kong/payments/no-subscription.yaml')).toBe(false);
  });

  it('a plan without limits adds no plugin', () => {
    expect(yaml('kong/payments/app-q1r2s3/consumer.yaml').metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'kong', 'portico.dev/subscriptions': 'sub-9' });
  });

  it('takes the ingress class from PORTICO_KONG_INGRESS_CLASS through the registry', () => {
    const render = renderTargets(gatewayTargets(['kong']), { limits, settings: { PORTICO_KONG_INGRESS_CLASS: 'kong-internal' } });
    expect((parse(render(grants).get('kong/logistics/app-k7m2q9/consumer.yaml')!) as Record<string, any>).metadata.annotations['kubernetes.io/ingress.class']).toBe('kong-internal');
  });
});

describe("Kong's CRD schemas catch what Kong would reject", () => {
  it('a KongConsumer needs a username or a custom_id, and a KongPlugin takes config or configFrom, not both', () => {
    const consumer = { apiVersion: 'configuration.konghq.com/v1', kind: 'KongConsumer', metadata: { name: 'x' }, credentials: ['a'] };
    expect(validateResource(consumer)).toEqual([{ path: [], message: 'the resource: Need to provide either username or custom_id' }]);
    const plugin = {
      apiVersion: 'configuration.konghq.com/v1',
      kind: 'KongPlugin',
      metadata: { name: 'x' },
      plugin: 'rate-limiting',
      config: { minute: 5 },
      configFrom: { secretKeyRef: { name: 's', key: 'k' } },
    };
    expect(validateResource(plugin)).toEqual([{ path: [], message: 'the resource: Using both config and configFrom fields is not allowed.' }]);
  });

  it('a misspelt field or a missing plugin name is reported', () => {
    const issues = validateResource({ apiVersion: 'configuration.konghq.com/v1', kind: 'KongPlugin', metadata: { name: 'x' }, confg: { minute: 5 } });
    expect(issues?.map((i) => i.message)).toEqual([expect.stringContaining('unknown field `confg`'), expect.stringContaining('plugin')]);
  });
});

describe('grants Kong cannot express are refused one by one, with the reason', () => {
  const LIMITS: PlanLimits = new Map([
    ['apps/minutely', { rateLimit: { requests: 100, periodSeconds: 60 } }],
    ['apps/ten-seconds', { rateLimit: { requests: 5, periodSeconds: 10 } }],
    ['apps/monthly', { quota: { requests: 100000, periodSeconds: 2592000 } }],
  ]);
  const secret = (app: string, keyId: string) => ({ name: `${app}-key-${keyId.toLowerCase()}`, document: `kind: Secret\nmetadata:\n  name: ${app}-key-${keyId.toLowerCase()}\n` });
  const grants: Grant[] = [
    {
      applicationId: 'app-a',
      ownerId: 'acct',
      applicationName: 'A',
      namespace: 'apps',
      subscriptions: [
        { id: 'sub-ok', offer: 'apps/o', apis: ['apps/api'], bundles: [], plan: 'apps/minutely', operationFilter: [] },
        { id: 'sub-10s', offer: 'apps/o', apis: ['apps/api'], bundles: [], plan: 'apps/ten-seconds', operationFilter: [] },
        { id: 'sub-filtered', offer: 'apps/o', apis: ['apps/api'], bundles: [], plan: 'apps/minutely', operationFilter: ['reads'] },
      ],
      keys: [{ keyId: 'KeyAaaa1', sha256: 'a'.repeat(64), title: 'a', suspended: false, encryptedSecret: secret('app-a', 'KeyAaaa1') }],
    },
    {
      applicationId: 'app-b',
      ownerId: 'acct',
      applicationName: 'B',
      namespace: 'apps',
      subscriptions: [{ id: 'sub-month', offer: 'apps/o', apis: ['apps/api'], bundles: [], plan: 'apps/monthly', operationFilter: [] }],
      keys: [{ keyId: 'KeyBbbb1', sha256: 'b'.repeat(64), title: 'b', suspended: false, encryptedSecret: secret('app-b', 'KeyBbbb1') }],
    },
  ];

  it('the renderer alone throws, in words, for the whole pass', () => {
    expect(() => renderKong(grants, { limits: LIMITS })).toThrow(/^kong: /);
  });

  it('through the writer’s refusal step, only the bad subscriptions stay out; keys and the other subscriptions are committed', () => {
    const { files, refused } = renderSkippingRefused((g) => kongTarget.render(g, { limits: LIMITS, settings: {} }), grants);
    for (const { doc } of documentsOf(files).filter(({ doc }) => doc.kind === 'KongPlugin')) expect(kongConfigProblems(String(doc.plugin), doc.config as Record<string, unknown>)).toEqual([]);
    expect(refused).toEqual([
      {
        applicationId: 'app-a',
        subscriptionIds: ['sub-10s'],
        keyIds: [],
        reason: "kong: plan apps/ten-seconds has rate limit 5/10s; Kong's rate-limiting plugin needs a whole number of requests per second, minute, hour or day (1, 60, 3600 or 86400 seconds)",
      },
      {
        applicationId: 'app-a',
        subscriptionIds: ['sub-filtered'],
        keyIds: [],
        reason: "kong: subscription sub-filtered is limited to the operation sets reads; Kong's key-auth admits a consumer to every operation of a route",
      },
      {
        applicationId: 'app-b',
        subscriptionIds: ['sub-month'],
        keyIds: [],
        reason: "kong: plan apps/monthly has quota 100000/2592000s; Kong's rate-limiting plugin needs a whole number of requests per second, minute, hour or day (1, 60, 3600 or 86400 seconds)",
      },
    ]);
    const a = parse(files.get('kong/apps/app-a/consumer.yaml')!) as Record<string, any>;
    expect([a.credentials, a.metadata.annotations['portico.dev/subscriptions'], a.metadata.annotations['konghq.com/plugins']]).toEqual([['app-a-key-keyaaaa1'], 'sub-ok', 'portico-plan-minutely']);
    // app-b keeps its key, and without a plan it can express, it is turned away with a 403.
    const b = parse(files.get('kong/apps/app-b/consumer.yaml')!) as Record<string, any>;
    expect([b.credentials, b.metadata.annotations['konghq.com/plugins']]).toEqual([['app-b-key-keybbbb1'], 'portico-no-subscription']);
  });
});

describe('how the reconciler reads Kong files', () => {
  const { grants, limits } = readCase('plans-and-keys');
  const files = renderKong(grants, { limits });
  const known: KnownGrants = {
    keys: grants.flatMap((g) => g.keys.map((k) => ({ keyId: k.keyId, sha256: k.sha256, applicationId: g.applicationId, status: 'committed' }))),
    subscriptions: grants.flatMap((g) => g.subscriptions.map((s) => ({ id: s.id, applicationId: g.applicationId, status: 'committed' }))),
  };

  it('finds subscriptions by the consumer’s annotation and keys by its credentials', () => {
    const present = kongPresence(files, known);
    expect([...present.subscriptions.keys()].sort()).toEqual(['sub-1', 'sub-2', 'sub-4', 'sub-5', 'sub-9']);
    expect(Object.fromEntries(present.keys)).toEqual({
      Zx81Qa0b: 'kong/logistics/app-k7m2q9/consumer.yaml',
      Gr4ceK3y: 'kong/logistics/app-m4n5p6/consumer.yaml',
      Nw9Ke7Yz: 'kong/logistics/app-b3x8w1/consumer.yaml',
    });
  });

  it('sees a person’s edit: a credential taken out of a consumer is no longer granted; a broken file grants nothing', () => {
    const edited = new Map(files);
    edited.set('kong/logistics/app-k7m2q9/consumer.yaml', files.get('kong/logistics/app-k7m2q9/consumer.yaml')!.replace(/credentials:\n {2}- app-k7m2q9-key-zx81qa0b\n/, ''));
    edited.set('kong/logistics/app-m4n5p6/consumer.yaml', 'kind: KongConsumer\nmetadata: [not: closed\n');
    const present = kongPresence(edited, known);
    expect([...present.keys.keys()]).toEqual(['Nw9Ke7Yz']);
    expect([...present.subscriptions.keys()].sort()).toEqual(['sub-1', 'sub-2', 'sub-9']);
  });

  it('with haproxy too, keys come from either and subscriptions from kong, which names them', () => {
    const both = new Map([...files, ...gatewayTargets(['haproxy'])[0]!.render(grants, { limits, settings: {} })]);
    const present = presenceFor(['haproxy', 'kong'])(both, known);
    // haproxy carries every key by hash (NoSecret too, and the suspended key is left out of keys.map).
    expect([...present.keys.keys()].sort()).toEqual(['Gr4ceK3y', 'NoSecret', 'Nw9Ke7Yz', 'Zx81Qa0b']);
    const withoutKong = new Map([...both].filter(([f]) => !f.startsWith('kong/')));
    expect([...presenceFor(['haproxy', 'kong'])(withoutKong, known).subscriptions.keys()]).toEqual([]);
  });
});

describe("a new key's Secret for Kong, encrypted when it is shown", () => {
  // A key made as the portal makes one, fresh for each run: no key-shaped literal in the repository.
  const { key } = generateApiKey();

  it('with SOPS and age: the key in the `key` field, labelled as a key-auth credential, under the name the consumer lists', async () => {
    const identity = await generateIdentity();
    const encrypt = keyEncrypter(gatewayTargets(['haproxy', 'kong']), { format: 'sops-age' }, [await identityToRecipient(identity)])!;
    const document = await encrypt(key, 'Zx81Qa0b', 'app-k7m2q9', 'logistics');
    expect(document).not.toContain(key);
    const opened = (await decryptSopsDocument(document, identity)).document as Record<string, any>;
    expect(opened.metadata).toEqual({ name: 'app-k7m2q9-key-zx81qa0b', namespace: 'logistics', labels: { 'konghq.com/credential': 'key-auth', 'konghq.com/secret': 'true' } });
    expect(opened.stringData).toEqual({ key });
    // The renderer writes that very document, and the consumer names it.
    const grant: Grant = {
      applicationId: 'app-k7m2q9',
      ownerId: 'acct',
      applicationName: 'A',
      namespace: 'logistics',
      subscriptions: [],
      keys: [{ keyId: 'Zx81Qa0b', sha256: 'c'.repeat(64), title: 't', suspended: false, encryptedSecret: { name: 'app-k7m2q9-key-zx81qa0b', document } }],
    };
    const files = renderKong([grant], { limits: new Map() });
    expect(files.get('kong/logistics/app-k7m2q9/secret-Zx81Qa0b.yaml')).toBe(document.endsWith('\n') ? document : `${document}\n`);
    expect((parse(files.get('kong/logistics/app-k7m2q9/consumer.yaml')!) as Record<string, any>).credentials).toEqual(['app-k7m2q9-key-zx81qa0b']);
  });

  it('as a SealedSecret: the same field and labels, sealed for the controller', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const encrypt = keyEncrypter(gatewayTargets(['kong']), { format: 'sealed-secret', certificatePem: pem, certificateFile: 'cert.pem' }, [])!;
    return encrypt(key, 'Zx81Qa0b', 'app-k7m2q9', 'logistics').then((document) => {
      const sealed = parse(document) as Record<string, any>;
      expect(sealed.spec.template.metadata.labels).toEqual({ 'konghq.com/credential': 'key-auth', 'konghq.com/secret': 'true' });
      expect(Object.keys(sealed.spec.encryptedData)).toEqual(['key']);
      expect(unsealValue(sealed.spec.encryptedData.key, pair.privateKey, sealingLabel('logistics', 'app-k7m2q9-key-zx81qa0b'))).toBe(key);
    });
  });

  it('Traefik Hub keeps its own Secret shape: the `token` field, no labels', async () => {
    const identity = await generateIdentity();
    const encrypt = keyEncrypter(gatewayTargets(['traefik-hub']), { format: 'sops-age' }, [await identityToRecipient(identity)])!;
    const opened = (await decryptSopsDocument(await encrypt(key, 'Zx81Qa0b', 'app-k7m2q9', 'logistics'), identity)).document as Record<string, any>;
    expect([opened.metadata, opened.stringData]).toEqual([{ name: 'app-k7m2q9-key-zx81qa0b', namespace: 'logistics' }, { token: key }]);
  });

  it('haproxy alone needs no Secret', () => {
    expect(keyEncrypter(gatewayTargets(['haproxy']), { format: 'sops-age' }, ['age1unused'])).toBeUndefined();
  });
});
