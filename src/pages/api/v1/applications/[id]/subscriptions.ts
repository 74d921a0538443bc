import type { APIRoute } from 'astro';
import { offersFor } from '../../../../../lib/access/offers.ts';
import { ProblemError } from '../../../../../lib/errors.ts';
import { jsonResponse, readJsonBody } from '../../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../../lib/server/http.ts';

export const prerender = false;

/**
 * Subscribes the application to an offer the account may see, on its plan. With `replaces`, changes
 * plan: the old subscription ends in the commit that grants the new one (or at approval).
 */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, catalog, gitops }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    if (typeof body.offer !== 'string') throw new ProblemError(400, 'no-offer', 'Name the offer to subscribe to: {"offer": "<namespace>/<catalog item>"}. GET /api/v1/catalog lists yours.');
    const offer = offersFor(catalog, account.groups).find((o) => o.offer === body.offer);
    if (!offer) throw new ProblemError(404, 'no-offer', `There is no offer "${body.offer}" you can subscribe to. GET /api/v1/catalog lists yours.`);
    if (body.plan !== undefined && body.plan !== offer.plan.key) throw new ProblemError(400, 'wrong-plan', `The offer ${offer.offer} is on the plan ${offer.plan.key}.`);
    if (body.replaces !== undefined && typeof body.replaces !== 'string') throw new ProblemError(400, 'invalid-replaces', 'replaces must be the id of the subscription to change.');
    const { id, requestId, status } = await access.subscribe(
      account.id,
      String(context.params.id),
      {
        key: offer.offer,
        title: offer.title,
        plan: offer.plan.key,
        apis: offer.apis.map((a) => a.key),
        bundles: offer.bundles,
        operationFilter: offer.operationFilter,
        approval: offer.approval,
      },
      body.replaces as string | undefined,
    );
    gitops.kick();
    return jsonResponse({ subscription: { id, requestId, offer: offer.offer, plan: offer.plan.key, status, approval: offer.approval }, requestId }, 201);
  });
