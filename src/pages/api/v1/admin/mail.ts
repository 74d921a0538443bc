import type { APIRoute } from 'astro';
import { listOutbox } from '../../../../lib/auth/mail.ts';
import { jsonResponse } from '../../../../lib/http/problem.ts';
import { handle, requireAdmin } from '../../../../lib/server/http.ts';

export const prerender = false;

/** The mail outbox: what the portal sent, or kept when no SMTP server is configured. */
export const GET: APIRoute = (context) =>
  handle(context, async ({ database }) => {
    requireAdmin(context);
    return jsonResponse({ mail: await listOutbox(database.db) });
  });
