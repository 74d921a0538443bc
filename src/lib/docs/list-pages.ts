/**
 * Long lists split into static pages of a fixed size (issue 18): Microsoft Graph beta's "Other
 * operations" tag lists 2,870 operations and its schema list 6,177 names, which made single pages
 * of hundreds of KB. Page 1 keeps the list's own address; page n is `<address>page/<n>/`.
 */
export const LIST_PAGE_SIZE = {
  /** Operations on one page of a tag's own page. */
  operations: 200,
  /** Names on one page of a version's schema list. */
  schemas: 500,
} as const;

/** Page numbers shown on each side of the current one in a pager, besides the first and the last. */
const PAGER_AROUND = 2;

/** How many pages a list of `total` entries takes; an empty list still has its first page. */
export function pageCountOf(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/** The entries of page `page` (from 1) of a list. */
export function itemsOfPage<T>(items: T[], page: number, size: number): T[] {
  return items.slice((page - 1) * size, page * size);
}

/** The page (from 1) on which the entry at `index` is listed. */
export function pageOfIndex(index: number, size: number): number {
  return Math.floor(Math.max(0, index) / size) + 1;
}

/** The address of page `page` of a list whose first page is at `first` (ending in a slash). */
export function listPageHref(first: string, page: number): string {
  return page > 1 ? `${first}page/${page}/` : first;
}

/** The links of a pager: previous and next, and the page numbers, with a gap where numbers are left out. */
export interface Pager {
  page: number;
  pages: number;
  prev?: string;
  next?: string;
  links: Array<{ page: number; href: string; current: boolean } | { gap: true }>;
}

/**
 * The pager of page `page` of `pages`: the first and last pages, and the pages around the current
 * one, so its size does not grow with the list.
 */
export function pagerOf(first: string, page: number, pages: number): Pager {
  const shown = [...new Set([1, ...Array.from({ length: 2 * PAGER_AROUND + 1 }, (_, i) => page - PAGER_AROUND + i), pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const links: Pager['links'] = [];
  for (const [i, n] of shown.entries()) {
    if (i > 0 && n > shown[i - 1]! + 1) links.push({ gap: true });
    links.push({ page: n, href: listPageHref(first, n), current: n === page });
  }
  return {
    page,
    pages,
    prev: page > 1 ? listPageHref(first, page - 1) : undefined,
    next: page < pages ? listPageHref(first, page + 1) : undefined,
    links,
  };
}
