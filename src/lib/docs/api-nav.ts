import type { Operation } from '../catalog/model.ts';
import { LIST_PAGE_SIZE, listPageHref, pageOfIndex } from './list-pages.ts';
import { hrefOfOperation, operationsByTag, type DocsApi, type DocsVersion } from './site.ts';
import { slugify, tagAnchor } from './urls.ts';

/**
 * How much navigation one page may carry, whatever the size of the API (issue 18): Microsoft Graph
 * beta has 22,361 operations in 829 tags, and a sidebar that listed every tag on each of its pages
 * weighed 125 KB of HTML per page.
 */
export const NAV_LIMITS = {
  /** An API with at most this many operations lists every operation in its sidebar. */
  smallApi: 60,
  /** With at most this many tags, the sidebar lists every tag; beyond, the tags around the current one. */
  allTags: 40,
  /** Tags listed before and after the current one when not all are. */
  tagsAround: 4,
  /**
   * A tag with at most this many operations lists them all; beyond, the ones around the current
   * operation. Graph beta's operation pages averaged 12 KB of sidebar with 120 and 20.
   */
  tagOperations: 30,
  /** Operations listed before and after the current one in a tag too long to list whole. */
  operationsAround: 7,
  /** An API version with more operations than this gets one page per tag, and its own page lists the tags. */
  overviewOperations: 300,
} as const;

/** One operation's link in a list. */
export interface NavOperation {
  operation: Operation;
  href: string;
  current: boolean;
}

/** One tag of a version: its operations, where they are listed in full, and its URL segment. */
export interface TagGroup {
  tag: string;
  description?: string;
  operations: Operation[];
  /** URL segment of the tag's own page (unique within the version). */
  slug: string;
  /** The tag's section on the version's page, or its own page when the version has tag pages. */
  href: string;
}

/** The sidebar of one page: a bounded window of tags, one of them open. */
export interface ApiNav {
  tags: Array<{
    group: TagGroup;
    /** Listed operations: all of the tag's, a window around the current one, or none. */
    operations: NavOperation[];
    open: boolean;
    /** Set when only part of the tag's operations are listed: where the rest are. */
    rest?: string;
  }>;
  /** Set when only some tags are listed: how many there are, and where they all are. */
  allTags?: { count: number; href: string };
}

const groupsCache = new WeakMap<DocsVersion, TagGroup[]>();

/** Whether a version's operations are listed on one page per tag rather than on the version's own page. */
export function hasTagPages(version: DocsVersion): boolean {
  return version.operations.length > NAV_LIMITS.overviewOperations;
}

/** The URL of a tag's own page. */
export function tagPageHref(version: DocsVersion, slug: string): string {
  return `${version.href}tags/${slug}/`;
}

/**
 * A version's operations grouped by tag, with each tag's URL; computed once per version, so a build
 * of N operation pages does not group N operations N times.
 */
export function tagGroupsOf(version: DocsVersion): TagGroup[] {
  let groups = groupsCache.get(version);
  if (groups) return groups;
  const used = new Set<string>();
  const ownPages = hasTagPages(version);
  groups = operationsByTag(version).map((g) => {
    let slug = slugify(g.tag);
    for (let n = 2; used.has(slug); n++) slug = `${slugify(g.tag)}-${n}`;
    used.add(slug);
    return { ...g, slug, href: ownPages ? tagPageHref(version, slug) : `${version.href}#${tagAnchor(g.tag)}` };
  });
  groupsCache.set(version, groups);
  return groups;
}

/** The tag an operation is listed under: its first tag, as operationsByTag groups it. */
export function tagOfOperation(operation: Operation): string {
  return operation.tags[0] ?? 'Other operations';
}

/** Items [at - around, at + around] of a list, shifted to stay inside it. */
function windowAround<T>(items: T[], at: number, around: number): T[] {
  const size = 2 * around + 1;
  if (items.length <= size) return items;
  const start = Math.min(Math.max(0, at - around), items.length - size);
  return items.slice(start, start + size);
}

/**
 * The sidebar of a version's page (neither `current` nor `tag`), of an operation's page, or of a
 * tag's page. Its size does not grow with the API: at most 2 × tagsAround + 1 tags (or allTags),
 * and at most tagOperations operations.
 */
export function buildApiNav(api: DocsApi, version: DocsVersion, current?: Operation, tag?: string): ApiNav {
  const groups = tagGroupsOf(version);
  const small = version.operations.length <= NAV_LIMITS.smallApi;
  const currentTag = current ? tagOfOperation(current) : tag;
  const at = Math.max(
    0,
    groups.findIndex((g) => g.tag === currentTag),
  );
  const listed = groups.length <= NAV_LIMITS.allTags ? groups : windowAround(groups, at, NAV_LIMITS.tagsAround);
  const link = (op: Operation): NavOperation => ({ operation: op, href: hrefOfOperation(api, version, op), current: op === current });
  const tags = listed.map((group) => {
    const isCurrent = group.tag === currentTag;
    // On a version's own page (no current operation or tag), a small API shows every tag open.
    const open = isCurrent || (currentTag === undefined && version.operations.length <= 20);
    if (group.operations.length <= NAV_LIMITS.tagOperations && (small || isCurrent)) return { group, operations: group.operations.map(link), open };
    if (!isCurrent) return { group, operations: [], open };
    const window = windowAround(group.operations, current ? group.operations.indexOf(current) : 0, NAV_LIMITS.operationsAround);
    // On a tag's own page, the rest are on the page of that list which holds the current operation.
    const rest = hasTagPages(version) ? listPageHref(group.href, pageOfIndex(current ? group.operations.indexOf(current) : 0, LIST_PAGE_SIZE.operations)) : group.href;
    return { group, operations: window.map(link), open, rest };
  });
  return { tags, allTags: listed.length < groups.length ? { count: groups.length, href: `${version.href}#operations` } : undefined };
}
