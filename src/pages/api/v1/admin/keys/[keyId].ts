import type { APIRoute } from 'astro';
import { apiKeyOwner } from '../../../../../lib/access/outbox.ts';
import { jsonResponse } from '../../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../../lib/server/http.ts';

export const prerender = false;

/** An admin revokes any key. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, database, gitops }) => {
    const admin = requireAdmin(context);
    const keyId = String(context.params.keyId);
    const { requestId } = await access.revokeKey(undefined, await apiKeyOwner(database.db, keyId), keyId, `revoked by an admin (${admin.email})`);
    gitops.kick();
    return jsonResponse({ requestId, status: 'revoking' }, 202);
  });
