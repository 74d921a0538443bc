import type { APIRoute } from 'astro';
import { offerTitles } from '../../../../lib/access/offers.ts';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../lib/server/http.ts';

export const prerender = false;

/** One application: each subscription's and key's status (pending approval, committing, committed, active, revoking, revoked...) and commit. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ access, catalog }) => jsonResponse({ application: await access.getApplication(requireAccount(context).id, String(context.params.id), offerTitles(catalog)) }));

/** Deletes the application: it and all its grants leave Git with the next commit. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const { requestId } = await access.deleteApplication(requireAccount(context).id, String(context.params.id));
    gitops.kick();
    return jsonResponse({ requestId }, 202);
  });
