import { describe, expect, it } from 'vitest';
import { accountsPage, mailParts, PAGE_SIZE, readListQuery } from '../../src/lib/access/admin-lists.ts';
import type { AccountView } from '../../src/lib/auth/accounts.ts';

const ORIGIN = 'https://portal.example.test';

describe('links in the mail outbox', () => {
  it('are links only for http(s) addresses on the portal itself', () => {
    const body = `Sign in at ${ORIGIN}/account/sign-in/ or reset it at ${ORIGIN}/account/reset-password/.\nElsewhere: https://evil.example/phish and http://portal.example.test/x and javascript:alert(1) and ${ORIGIN.replace('https://', 'https://user:pw@')}/account/`;
    const links = mailParts(body, ORIGIN).filter((p) => 'href' in p);
    expect(links).toEqual([
      { text: `${ORIGIN}/account/sign-in/`, href: `${ORIGIN}/account/sign-in/` },
      { text: `${ORIGIN}/account/reset-password/`, href: `${ORIGIN}/account/reset-password/` },
    ]);
    // Nothing of the text is lost: the parts put together are the body (the full stop after a link included).
    expect(
      mailParts(body, ORIGIN)
        .map((p) => p.text)
        .join(''),
    ).toBe(body);
  });

  it('never link a one-time link whose token was blanked', () => {
    const body = `Open this link:\n\n${ORIGIN}/account/verify-email?token=[removed: sent to the addressee only]\n\nThe link works for 24 hours.`;
    expect(mailParts(body, ORIGIN).filter((p) => 'href' in p)).toEqual([]);
    expect(
      mailParts(body, ORIGIN)
        .map((p) => p.text)
        .join(''),
    ).toBe(body);
  });
});

describe('list queries', () => {
  it('read ?q= and ?page=, and say what they could not use', () => {
    expect(readListQuery(new URLSearchParams('q=%20fleet%20&page=3'))).toEqual({ q: 'fleet', page: 3, problems: [] });
    const bad = readListQuery(new URLSearchParams(`q=${'x'.repeat(250)}&page=-2`));
    expect(bad.q).toHaveLength(200);
    expect(bad.page).toBe(1);
    expect(bad.problems).toEqual(['The search text is at most 200 characters; only the first 200 were used.', '"-2" is not a page number (1, 2, 3…); the first page is shown.']);
  });

  it('page accounts in a stable order, and clamp a page past the end to the last one', () => {
    const all: AccountView[] = Array.from({ length: 120 }, (_, i) => ({
      id: `acc${i}`,
      email: `user${String(i).padStart(3, '0')}@example.test`,
      emailVerified: true,
      displayName: null,
      groups: i % 2 ? ['partners'] : [],
      assignedGroups: i % 2 ? ['partners'] : [],
      admin: false,
      hasPassword: true,
      createdAt: new Date(0),
    }));
    const first = accountsPage(all.slice().reverse(), { q: '', page: 1, problems: [] });
    expect(first).toMatchObject({ total: 120, page: 1, pages: 3 });
    expect(first.rows).toHaveLength(PAGE_SIZE);
    expect(first.rows[0]!.email).toBe('user000@example.test');
    const last = accountsPage(all, { q: '', page: 99, problems: [] });
    expect(last).toMatchObject({ page: 3, pages: 3 });
    expect(last.rows.map((a) => a.email)).toEqual(all.slice(100).map((a) => a.email));
    const partners = accountsPage(all, { q: 'PARTNERS', page: 1, problems: [] });
    expect(partners.total).toBe(60);
  });
});
