import type { APIRoute } from 'astro';
import { jsonResponse, readJsonBody } from '../../../../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../../../../lib/server/http.ts';

export const prerender = false;

/**
 * Rotates a key: the new key is in this response and nowhere else; the old one stays valid for
 * `overlapSeconds` (default a day), then leaves Git.
 */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    const app = await access.getApplication(account.id, String(context.params.id)); // 404 before any key exists
    const encryptKey = gitops.encryptKey;
    const rotated = await access.rotateKey(account.id, app.id, String(context.params.keyId), {
      overlapSeconds: body.overlapSeconds,
      title: body.title,
      encryptSecret: encryptKey ? (key, keyId) => encryptKey(key, keyId, app.id, app.namespace) : undefined,
    });
    gitops.kick();
    return jsonResponse({ ...rotated, status: 'committing', shownOnce: true }, 201, { 'cache-control': 'no-store' });
  });
