import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/lib/catalog/load.ts';
import { buildDocsSite, findVersion, hrefOfOperation, hrefOfSchema, type DocsSite } from '../../src/lib/docs/site.ts';
import { projectRoot, startPortal, type RunningPortal } from '../support/portal.ts';

// The pages the docs build makes from excerpts of published OpenAPI documents
// (tests/fixtures/openapi-real/*/PROVENANCE.md), read as HTML the way a browser receives them.
const content = path.join(projectRoot, 'tests/fixtures/openapi-real');
let portal: RunningPortal;
let site: DocsSite;

beforeAll(async () => {
  [portal, site] = await Promise.all([startPortal({ PORTICO_CONTENT_DIR: content }), loadCatalog(content, { offline: true }).then(buildDocsSite)]);
}, 160_000);
afterAll(async () => {
  await portal?.stop();
});

/** Where the page of an operation is. */
function operationPage(api: string, operationId: string): string {
  const { api: docsApi, version } = findVersion(site, api)!;
  return hrefOfOperation(docsApi, version, version.operations.find((o) => o.operationId === operationId)!);
}

/** The page's main region as text: tags dropped, entities decoded, white space collapsed. */
async function pageText(pathname: string): Promise<string> {
  const response = await fetch(`${portal.base}${pathname}`);
  expect(response.status, pathname).toBe(200);
  const html = await response.text();
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  return main
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/ ([,.)])/g, '$1')
    .replace(/\( /g, '(');
}

describe('pages of real OpenAPI documents', () => {
  it('GitHub Enterprise Cloud: the example with $ref keys is shown as the data it is, and the API is published', async () => {
    const text = await pageText(operationPage('ghec', 'enterprise-admin/get-server-statistics'));
    expect(text).toContain('"actions_stats": { "$ref": "server-statistics-actions.yaml" }');
    expect(portal.output()).not.toContain('server-statistics-actions.yaml');
  });

  it('ReadMe: the uploaded file is a file with its media type', async () => {
    const text = await pageText(operationPage('readme', 'uploadAPISpecification'));
    expect(text).toContain('spec file (media type application/octet-stream)');
  });

  it('local pointers: properties whose $ref points into a path item, a parameter or another response are typed, not any', async () => {
    const text = await pageText(operationPage('pointers', 'createPet'));
    expect(text).toMatch(/pet object .*name string .*tag string .*owner object .*id string<uuid> .*batch integer · ≥ 1 · ≤ 100/);
    expect(text).not.toMatch(/\b(pet|owner|batch) any\b/);
  });

  it('pets: the generated example and the code samples say pet_type dog, as the discriminator maps it', async () => {
    const text = await pageText(operationPage('pets', 'addPet'));
    expect(text).toContain('Example (generated from the schema) { "pet_type": "dog", "bark": "string" }');
    expect(text).toContain(`--data '{ "pet_type": "dog", "bark": "string" }'`);
    expect(text).not.toContain('"pet_type": "string"');
  });

  it('pets and GitHub: one schema tree for the media types and the responses that share it', async () => {
    const pets = await pageText(operationPage('pets', 'addPet'));
    expect(pets).toContain('Media types application/json, application/xml (one schema)');
    expect(pets.match(/object \(Cat\) · combines Pet/g)?.length).toBe(1); // not once for JSON and again for XML
    const unblock = await pageText(operationPage('ghec', 'users/unblock'));
    expect(unblock.match(/documentation_url string/g)?.length).toBe(1);
    expect(unblock.match(/The same schema as response 401, shown there in full\./g)?.length).toBe(2);
  });

  it('webhooks only (OpenAPI 3.1): the API page lists the webhook, and its page documents the request and the answers', async () => {
    const apiPage = await fetch(`${portal.base}/apis/webhooks/webhooks/`).then((r) => r.text());
    expect(apiPage).toMatch(/<a [^>]*href="\/apis\/webhooks\/webhooks\/webhooks\/newPet\/"[^>]*>.*newPet/);
    const text = await pageText('/apis/webhooks/webhooks/webhooks/newPet/');
    expect(text).toContain('A pet was added Webhook POST newPet');
    expect(text).toContain('Headers Name Type Description X-Signature required string HMAC-SHA256 of the body');
    expect(text).toMatch(/Payload optional Information about a new pet in the system Media type application\/json object \(Pet\) id integer<int64> required name string required tag string/);
    expect(text).toContain('Example: A dog called Rex { "id": 7, "name": "Rex", "tag": "dog" }');
    expect(text).toMatch(/Responses your endpoint returns 200 Return a 200 status .* 410 Gone/);
  });

  it('DigitalOcean: the anyOf options of a multi-file document are named and linked to their schema pages, and the page stays small', async () => {
    const href = operationPage('digitalocean', 'dropletActions_post');
    const html = await fetch(`${portal.base}${href}`).then((r) => r.text());
    const text = await pageText(href);
    expect(text).toMatch(/Any of: chosen by type \(enable_backups → droplet_action_enable_backups, disable_backups → droplet_action,/);
    const { api, version } = findVersion(site, 'digitalocean')!;
    const schemaHref = hrefOfSchema(api, version, 'droplet_action_enable_backups');
    expect(html).toContain(`<a href="${schemaHref}">droplet_action_enable_backups</a>`);
    expect(html.length).toBeLessThan(150_000);
    const schemaPage = await pageText(schemaHref);
    expect(schemaPage).toContain('backup_policy');
  });

  it('Amazon EC2: the samples send Action and Version with their values, in the query, without the fragment', async () => {
    const text = await pageText(operationPage('ec2', 'GET_DescribeRegions'));
    expect(text).toContain(`curl -X GET 'http://ec2.us-east-1.amazonaws.com/?Action=DescribeRegions&Version=2016-11-15'`);
    expect(text).toContain('requests.request("GET", "http://ec2.us-east-1.amazonaws.com/?Action=DescribeRegions&Version=2016-11-15"');
  });

  it("Stripe: the `created` filter lists its alternatives, and the range object's fields", async () => {
    const text = await pageText(operationPage('stripe', 'GetCoupons'));
    expect(text).toMatch(/created any of .*Any of: range_query_specs \(object\) range_query_specs gt integer gte integer lt integer lte integer integer/);
  });
});
