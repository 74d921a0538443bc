import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Unsubscribes (or withdraws a request still waiting for approval); the grant leaves Git with the next commit. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const { requestId } = await access.unsubscribe(requireAccount(context).id, String(context.params.id), String(context.params.subscriptionId));
    gitops.kick();
    return jsonResponse({ requestId }, 202);
  });
