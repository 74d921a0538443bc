import type { APIRoute } from 'astro';
import { handle, requireAccount } from '../../../../../../lib/server/http.ts';

export const prerender = false;

/** Revokes a key: it leaves Git at the next writer pass, and the gateway refuses it once applied. */
export const DELETE: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const account = requireAccount(context);
    await access.getApplication(account.id, String(context.params.id));
    await access.revokeKey(account.id, String(context.params.id), String(context.params.keyId));
    gitops.kick();
    return new Response(null, { status: 204 });
  });
