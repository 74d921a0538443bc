// The instant search dialog (⌘K, Ctrl+K, `/`, or a click on the header's search box). Loaded on
// its first opening by the header's launcher (src/components/search/SearchLauncher.astro), so pages
// carry none of this until someone searches. A modal <dialog>: the page behind is inert, Escape
// closes it, and focus goes back where it was.
import { preloadSearch, resultLabel, searchEverything, type SearchResult } from './search.ts';

let dialog: HTMLDialogElement | undefined;
let returnFocus: HTMLElement | null = null;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'className' || key === 'id' || key === 'textContent' || key === 'type' || key === 'href') (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, String(value));
  }
  el.append(...children);
  return el;
}

/** The option of one result: method and title, then API · version · path, then the excerpt. */
function optionOf(r: SearchResult, id: string): HTMLLIElement {
  const title = element('span', { className: 'search-hit-title' });
  if (r.method) title.append(element('span', { className: `method method-${r.method.toLowerCase()}` }, r.method), ' ');
  title.append(r.title);
  const excerpt = element('span', { className: 'search-hit-excerpt' });
  excerpt.innerHTML = r.excerpt; // escaped text with <mark> only (search.ts)
  const label = resultLabel(r);
  return element(
    'li',
    { id, role: 'option', 'aria-selected': 'false', 'data-url': r.url, className: 'search-hit' },
    title,
    ...(label ? [element('span', { className: 'search-hit-meta' }, label)] : []),
    excerpt,
  );
}

function build(): HTMLDialogElement {
  const input = element('input', {
    type: 'search',
    id: 'search-dialog-q',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': 'search-dialog-results',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'GET /shipments, listShipments, parcel…',
  });
  const label = element('label', { className: 'visually-hidden', for: 'search-dialog-q' }, 'Search the docs');
  const close = element('button', { type: 'button', className: 'search-dialog-close', 'aria-label': 'Close search' }, 'Esc');
  const status = element('p', { id: 'search-dialog-status', className: 'search-dialog-status', role: 'status', 'aria-live': 'polite' });
  const list = element('ul', { id: 'search-dialog-results', role: 'listbox', 'aria-label': 'Results', className: 'search-dialog-results' });
  const all = element('a', { className: 'search-dialog-all', href: '/search/' }, 'All results');
  const d = element(
    'dialog',
    { className: 'search-dialog', 'aria-modal': 'true', 'aria-labelledby': 'search-dialog-title' },
    element('h2', { id: 'search-dialog-title', className: 'visually-hidden' }, 'Search'),
    element('div', { className: 'search-dialog-bar' }, label, input, close),
    status,
    list,
    element('p', { className: 'search-dialog-foot' }, all, element('span', { className: 'muted' }, '↑↓ to choose, Enter to open, Esc to close')),
  );

  let active = -1;
  let sequence = 0;
  const options = () => [...list.querySelectorAll<HTMLLIElement>('[role="option"]')];
  const choose = (i: number) => {
    const all = options();
    if (all.length === 0) return;
    active = (i + all.length) % all.length;
    all.forEach((o, n) => o.setAttribute('aria-selected', String(n === active)));
    input.setAttribute('aria-activedescendant', all[active]!.id);
    all[active]!.scrollIntoView({ block: 'nearest' });
  };
  const go = (url: string) => {
    d.close();
    location.assign(url);
  };
  const run = async () => {
    const q = input.value;
    const mine = ++sequence;
    all.href = `/search/?q=${encodeURIComponent(q.trim())}`;
    if (!q.trim()) {
      list.replaceChildren();
      delete list.dataset.query;
      status.textContent = '';
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      return;
    }
    try {
      const { results, total } = await searchEverything(q, 10);
      if (mine !== sequence) return; // a later keystroke's search owns the list
      list.replaceChildren(...results.map((r, i) => optionOf(r, `search-dialog-option-${i}`)));
      list.dataset.query = q; // which text the list answers (tests wait for it)
      status.textContent = total === 0 ? `No results for “${q.trim()}”` : `${total} result${total === 1 ? '' : 's'}`;
      input.setAttribute('aria-expanded', String(results.length > 0));
      active = -1;
      input.removeAttribute('aria-activedescendant');
      if (results.length > 0) choose(0);
    } catch {
      if (mine !== sequence) return;
      status.textContent = 'Search is not available right now (the portal may have been updated since this page was opened): reload the page.';
    }
  };

  input.addEventListener('input', () => void run());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      choose(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const option = options()[active];
      go(option?.dataset.url ?? all.href);
    }
  });
  list.addEventListener('click', (e) => {
    const option = (e.target as Element).closest<HTMLLIElement>('[role="option"]');
    if (option?.dataset.url) go(option.dataset.url);
  });
  close.addEventListener('click', () => d.close());
  // Escape closes at once, even when the search box holds text (a search field would only clear it).
  d.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      d.close();
    }
  });
  // A click on the backdrop (outside the dialog's box) closes it, as Escape does.
  d.addEventListener('click', (e) => {
    if (e.target === d) {
      const box = d.getBoundingClientRect();
      if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) d.close();
    }
  });
  d.addEventListener('close', () => {
    returnFocus?.focus();
    returnFocus = null;
  });
  document.body.append(d);
  return d;
}

/** Opens the dialog, with `query` typed in when given; focus returns to the element that had it on close. */
export function openSearchDialog(query?: string): void {
  preloadSearch();
  dialog ??= build();
  if (dialog.open) return;
  returnFocus = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  const input = dialog.querySelector<HTMLInputElement>('input')!;
  if (query !== undefined && query.trim()) input.value = query;
  dialog.showModal();
  input.focus();
  input.select();
  if (input.value.trim()) input.dispatchEvent(new Event('input'));
}
