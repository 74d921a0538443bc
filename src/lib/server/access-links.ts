// The links of the "Get access" step and of the application page that lead to Try it: computed
// from the docs site the person sees (the public one, or their groups' one).
import { tryItHref } from '../access/get-access.ts';
import type { Offer } from '../access/offers.ts';
import type { Catalog } from '../catalog/model.ts';
import { buildDocsSite, type DocsSite } from '../docs/site.ts';
import { memberDocsSite } from './member-docs.ts';

// Per catalog, like memberDocsSite's cache: it depends on the content only, never on a person.
const publicSites = new WeakMap<Catalog, DocsSite>();

/** The docs site a person with these groups sees. */
export function docsSiteFor(catalog: Catalog, groups: string[]): DocsSite {
  const member = memberDocsSite(catalog, groups);
  if (member) return member;
  let site = publicSites.get(catalog);
  if (!site) publicSites.set(catalog, (site = buildDocsSite(catalog)));
  return site;
}

/** For each API of the subscribed offers: its title and where to try a key on it. */
export function tryItLinks(catalog: Catalog, groups: string[], subscribed: Offer[]): Array<{ api: string; title: string; href: string }> {
  const site = docsSiteFor(catalog, groups);
  const links = new Map<string, { api: string; title: string; href: string }>();
  for (const offer of subscribed) {
    for (const api of offer.apis) {
      const href = links.has(api.key) ? undefined : tryItHref(site, api.key, offer.operationFilter);
      if (href) links.set(api.key, { api: api.key, title: api.title, href });
    }
  }
  return [...links.values()];
}
