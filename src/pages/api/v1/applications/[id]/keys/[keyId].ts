import type { APIRoute } from 'astro';
import { jsonResponse } from '../../../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Revokes a key: it leaves Git at the next writer pass, and the gateway refuses it once applied. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const { requestId } = await access.revokeKey(requireAccount(context).id, String(context.params.id), String(context.params.keyId));
    gitops.kick();
    return jsonResponse({ requestId, status: 'revoking' }, 202);
  });
