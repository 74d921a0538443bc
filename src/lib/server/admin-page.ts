// The one guard of every admin page: signed out goes to sign-in (and back), signed in without admin
// rights gets a 403. Admin rights are the account service's: a listed address counts only once it
// is confirmed, so an unconfirmed sign-up with an admin's address is refused here too.
import type { AccountView } from '../auth/accounts.ts';

/** The answer that refuses `pathname` to this visitor, or undefined for an admin. */
export function adminPageRefusal(account: AccountView | undefined, pathname: string): Response | undefined {
  if (!account) return new Response(null, { status: 302, headers: { location: `/account/sign-in/?next=${encodeURIComponent(pathname)}` } });
  if (!account.admin) return new Response('Only the portal admins may see this page.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return undefined;
}
