import type { APIRoute } from 'astro';
import { ProblemError } from '../../../../../lib/errors.ts';
import { jsonResponse, readJsonBody } from '../../../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../../../lib/server/http.ts';

export const prerender = false;

/** Creates an API key. The key is in this response and nowhere else: copy it now. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ access, gitops }) => {
    const account = requireAccount(context);
    const body = await readJsonBody(context.request);
    let expiresAt: Date | undefined;
    if (body.expiresAt !== undefined) {
      expiresAt = new Date(String(body.expiresAt));
      if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())
        throw new ProblemError(400, 'invalid-expiry', 'expiresAt must be a date-time in the future, such as 2027-01-31T00:00:00Z.');
    }
    const applicationId = String(context.params.id);
    const app = await access.getApplication(account.id, applicationId); // 404 before any key exists
    const encryptKey = gitops.encryptKey;
    const created = await access.createKey(account.id, applicationId, {
      title: body.title,
      expiresAt,
      encryptSecret: encryptKey ? (key, keyId) => encryptKey(key, keyId, app.id, app.namespace) : undefined,
    });
    gitops.kick();
    return jsonResponse({ ...created, status: 'committing', shownOnce: true }, 201, { 'cache-control': 'no-store' });
  });
