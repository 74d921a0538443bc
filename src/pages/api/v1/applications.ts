import type { APIRoute } from 'astro';
import { offerTitles } from '../../../lib/access/offers.ts';
import { choosePortal } from '../../../lib/catalog/visibility.ts';
import { jsonResponse, readJsonBody } from '../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../lib/server/http.ts';

export const prerender = false;

/** The signed-in account's applications, each with its subscriptions' and keys' statuses. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ access, catalog }) => jsonResponse({ applications: await access.listApplications(requireAccount(context).id, offerTitles(catalog)) }));

/** Creates an application; it becomes a ManagedApplication (or the gateway's equivalent) in Git. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, catalog, gitops }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    const namespace = choosePortal(catalog.portals, catalog.items)?.id.namespace ?? 'default';
    const { id } = await access.createApplication(account.id, { name: body.name, description: body.description, namespace });
    gitops.kick();
    return jsonResponse({ application: await access.getApplication(account.id, id, offerTitles(catalog)) }, 201);
  });
