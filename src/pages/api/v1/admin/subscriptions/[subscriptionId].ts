import type { APIRoute } from 'astro';
import { subscriptionApplication } from '../../../../../lib/access/outbox.ts';
import { jsonResponse } from '../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../lib/server/http.ts';

export const prerender = false;

/** An admin ends any subscription. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, database, gitops }) => {
    const admin = requireAdmin(context);
    const id = String(context.params.subscriptionId);
    const { requestId } = await access.unsubscribe(undefined, await subscriptionApplication(database.db, id), id, `ended by an admin (${admin.email})`);
    gitops.kick();
    return jsonResponse({ requestId }, 202);
  });
