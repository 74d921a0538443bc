import path from 'node:path';
import { expect } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import type { Operation } from '../../src/lib/catalog/model.ts';
import { buildDocsSite, hrefOfOperation } from '../../src/lib/docs/site.ts';
import { projectRoot } from './portal.ts';

/** The operation a consumer journey calls through Try it: its page, its server, the path values a person types, the example it answers, the plan's rate. */
export interface JourneyOperation {
  href: string;
  server: string;
  /** Path parameters the spec gives no example value for, with the value its description suggests. */
  typed: Record<string, string>;
  /** The path with those values in place (and the spec's examples for the others). */
  path: string;
  example: Record<string, unknown>;
  rate: { requests: number; periodSeconds: number };
}

/**
 * Finds, in the demo content (or the content folder given), a GET operation that the offer covers
 * and whose 200 answer has an example: what a consumer of that offer can call and check.
 */
export async function journeyOperation(offer: string, contentDir = path.join(projectRoot, 'content')): Promise<JourneyOperation> {
  const catalog = await loadCatalog(contentDir, { offline: true });
  const item = catalog.items.find((i) => i.key === offer)!;
  const plan = catalog.plans.find((p) => p.key === item.plan)!;
  const exampleOf = (op: Operation) => (op.responses['200']?.content as Record<string, { example?: unknown }> | undefined)?.['application/json']?.example;
  const covered = (op: Operation) => item.operationFilter.length === 0 || item.operationFilter.some((set) => op.operationSets.includes(set));
  const found = buildDocsSite(catalog)
    .apis.filter((a) => item.apis.includes(a.api.key))
    .flatMap((api) => api.versions[0]!.operations.map((op) => ({ api, version: api.versions[0]!, op })))
    .find(({ op }) => op.method === 'get' && covered(op) && exampleOf(op) !== null && typeof exampleOf(op) === 'object');
  expect(found, `the offer ${offer} covers a GET operation whose 200 answer has an example`).toBeDefined();
  const { api, version, op } = found!;
  expect(plan.rateLimit).toBeDefined();
  const typed = Object.fromEntries(op.parameters.filter((p) => p.in === 'path' && p.example === undefined).map((p) => [String(p.name), /for example `([^`]+)`/.exec(String(p.description))?.[1]]));
  expect(
    Object.values(typed).every((v) => v !== undefined),
    `a value for each path parameter of ${op.operationId}`,
  ).toBe(true);
  const examples = Object.fromEntries(op.parameters.filter((p) => p.in === 'path' && p.example !== undefined).map((p) => [String(p.name), String(p.example)]));
  const values = { ...examples, ...(typed as Record<string, string>) };
  return {
    href: hrefOfOperation(api, version, op),
    typed: typed as Record<string, string>,
    path: op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? name)),
    server: (op.servers ?? version.version.servers)[0]!.url,
    example: exampleOf(op) as Record<string, unknown>,
    rate: plan.rateLimit!,
  };
}
