import type { APIRoute } from 'astro';
import { clearSessionCookie, handle } from '../../../../lib/server/http.ts';

export const prerender = false;

/** Ends this session. */
export const POST: APIRoute = (context) =>
  handle(context, async ({ sessions }) => {
    if (context.locals.session) await sessions.invalidate(context.locals.session.id);
    clearSessionCookie(context.cookies);
    return new Response(null, { status: 204 });
  });
