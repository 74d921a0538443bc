import type { APIRoute } from 'astro';
import { offersFor } from '../../../lib/access/offers.ts';
import { jsonResponse } from '../../../lib/http/problem.ts';
import { handle, requireAccount } from '../../../lib/server/http.ts';

export const prerender = false;

/** The offers the signed-in account may subscribe to: catalog item, APIs, plan with limits, approval mode. */
export const GET: APIRoute = (context) => handle(context, async ({ catalog }) => jsonResponse({ offers: offersFor(catalog, requireAccount(context).groups) }));
