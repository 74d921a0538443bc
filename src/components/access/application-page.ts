// The browser side of an application's page: shows a new key once, keeps it in the session on
// request, and follows statuses while the Git writer and the reconciler work, without reloading.
// Everything a person typed reaches the page through textContent or the server's escaped HTML.
import { renderStatusCell, showCreatedKey } from './status-dom.ts';
import { isSettling, keyActions, sessionKeyName, statusToWords, subscriptionActions, type ApplicationView, type KeyView, type SubscriptionView } from './status.ts';

const POLL_MS = 2000;

/** The detail of FormScript's `portico:done` event. */
interface DoneDetail {
  json: Record<string, unknown>;
  status: number;
}

const root = document.querySelector<HTMLElement>('[data-application]');
if (root) setUp(root, root.dataset.application!);

function setUp(root: HTMLElement, applicationId: string): void {
  const live = document.getElementById('access-live');
  const watchError = document.getElementById('access-watch-error');
  const box = document.getElementById('new-key') as HTMLElement;
  const keyInput = document.getElementById('new-key-value') as HTMLInputElement;
  const copyButton = document.getElementById('new-key-copy') as HTMLButtonElement;
  const copied = document.getElementById('new-key-copied') as HTMLElement;
  const keep = document.getElementById('new-key-keep') as HTMLInputElement;
  const kept = document.getElementById('new-key-kept') as HTMLElement;
  const about = box.querySelector<HTMLElement>('[data-new-key-about]')!;
  let shownKeyId = '';

  const announce = (text: string) => {
    if (live) live.textContent = text;
  };

  // ---- the one-time key -------------------------------------------------------------------

  function showNewKey(key: string, keyId: string, words: string): void {
    keyInput.value = key;
    shownKeyId = keyId;
    about.textContent = words;
    copied.textContent = '';
    kept.textContent = '';
    keep.checked = false;
    box.hidden = false;
    box.focus();
  }

  copyButton.addEventListener('click', async () => {
    copied.textContent = '';
    try {
      await navigator.clipboard.writeText(keyInput.value);
      copied.textContent = 'Copied';
    } catch {
      // No clipboard access (permission refused, older browser): select it for the person to copy.
      keyInput.focus();
      keyInput.select();
      copied.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  });

  keep.addEventListener('change', () => {
    const name = sessionKeyName(applicationId);
    if (keep.checked) {
      sessionStorage.setItem(name, JSON.stringify({ keyId: shownKeyId, key: keyInput.value }));
      kept.textContent = 'Kept in this browser session: the Try it console can use it until you close the browser.';
    } else {
      forgetKept(shownKeyId);
      kept.textContent = 'Not kept in this browser.';
    }
  });

  // A Try it link takes the key along the one safe way: kept in this session, never in its address.
  for (const link of Array.from(box.querySelectorAll<HTMLAnchorElement>('a[data-try-it-link]'))) {
    link.addEventListener('click', () => {
      if (keep.checked || !keyInput.value) return;
      keep.checked = true;
      keep.dispatchEvent(new Event('change'));
    });
  }

  /** Removes the key kept for the Try it console, if it is this one. */
  function forgetKept(keyId: string): void {
    const name = sessionKeyName(applicationId);
    try {
      if ((JSON.parse(sessionStorage.getItem(name) ?? 'null') as { keyId?: string } | null)?.keyId === keyId) sessionStorage.removeItem(name);
    } catch {
      sessionStorage.removeItem(name);
    }
  }

  // Leaving the page forgets the key, even if the browser keeps the page in its back-forward cache.
  window.addEventListener('pagehide', () => {
    keyInput.value = '';
    box.hidden = true;
  });

  // ---- answers to the page's forms ----------------------------------------------------------

  document.addEventListener('portico:done', (event) => {
    const form = event.target as HTMLFormElement;
    const { json } = (event as CustomEvent<DoneDetail>).detail;
    if (form.dataset.newKey !== undefined) {
      event.preventDefault();
      const keyId = String(json.keyId ?? '');
      const title = form.querySelector<HTMLInputElement>('input[name=title]')?.value.trim() || (typeof json.title === 'string' ? json.title : '');
      const parts = [`Key id ${keyId}${title ? `, titled "${title}"` : ''}.`];
      if (typeof json.replaces === 'string')
        parts.push(
          `It replaces the key ${json.replaces}${typeof json.overlapUntil === 'string' ? `, which keeps working until ${new Date(json.overlapUntil).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}.`,
        );
      showNewKey(String(json.key ?? ''), keyId, parts.join(' '));
      const keys = document.querySelector<HTMLElement>('[data-region="keys"]');
      if (keys) showCreatedKey(keys, { ...(json as unknown as KeyView), keyId, title: title || keyId, status: typeof json.status === 'string' ? json.status : 'committing' });
      form.reset();
      form.closest('details')?.removeAttribute('open');
      void refreshRegions().then(watch);
    } else if (form.dataset.refresh !== undefined) {
      event.preventDefault();
      if (form.dataset.revokeKey) forgetKept(form.dataset.revokeKey);
      announce(form.dataset.done ?? 'Done.');
      void refreshRegions().then(watch);
    }
  });

  // ---- keeping the lists current ---------------------------------------------------------------

  /**
   * Replaces the page's lists with the server's current rendering of them (the same HTML a reload
   * would show), keeping focus and open disclosures where they were.
   */
  async function refreshRegions(): Promise<void> {
    const res = await fetch(window.location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
    if (!res?.ok) {
      if (watchError) watchError.textContent = 'The lists could not be refreshed. Reload the page to see them as they are now.';
      return;
    }
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
    const focusedId = document.activeElement?.id;
    const open = new Set(Array.from(document.querySelectorAll<HTMLDetailsElement>('details[open][id]')).map((d) => d.id));
    for (const region of Array.from(document.querySelectorAll<HTMLElement>('[data-region]'))) {
      const next = fresh.querySelector(`[data-region="${region.dataset.region}"]`);
      if (!next) continue;
      const node = document.importNode(next, true) as HTMLElement;
      for (const d of Array.from(node.querySelectorAll<HTMLDetailsElement>('details[id]'))) if (open.has(d.id)) d.open = true;
      const hadFocus = region.contains(document.activeElement);
      region.replaceWith(node);
      if (hadFocus) {
        const again = focusedId ? document.getElementById(focusedId) : null;
        (again ?? node.closest('section')?.querySelector<HTMLElement>('h2'))?.focus();
      }
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastStatus = new Map<string, string>();

  /** Starts following the statuses, every 2 s, until nothing moves any more. */
  function watch(): void {
    if (timer === undefined) timer = setTimeout(poll, POLL_MS);
  }

  async function poll(): Promise<void> {
    try {
      const res = await fetch(`/api/v1/applications/${encodeURIComponent(applicationId)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      const json = (await res.json().catch(() => ({}))) as { application?: ApplicationView; detail?: string };
      if (!res.ok || !json.application) {
        if (watchError) watchError.textContent = `The status could not be refreshed: ${json.detail ?? `the portal answered ${res.status}`}. Reload the page to try again.`;
        timer = undefined;
        return;
      }
      if (watchError) watchError.textContent = '';
      await showStatuses(json.application);
      if (!isSettling(json.application)) {
        timer = undefined;
        return;
      }
    } catch {
      if (watchError) watchError.textContent = 'The portal did not answer, so the status is not current. Reload the page to try again.';
      timer = undefined;
      return;
    }
    timer = setTimeout(poll, POLL_MS);
  }

  /** Writes the new statuses into the page; rows that appeared, went or changed their actions are re-rendered. */
  async function showStatuses(app: ApplicationView): Promise<void> {
    const items: Array<[string, string, SubscriptionView | KeyView, string]> = [
      ...(app.subscriptions ?? []).map((s): [string, string, SubscriptionView, string] => [`sub:${s.id}`, subscriptionActions(s).join(','), s, `The subscription to ${s.offerTitle ?? s.offer}`]),
      ...(app.keys ?? []).map((k): [string, string, KeyView, string] => [`key:${k.keyId}`, keyActions(k).join(','), k, `The key ${k.title}`]),
    ];
    const rows = new Map(Array.from(document.querySelectorAll<HTMLElement>('[data-row-ref]')).map((r) => [r.dataset.rowRef!, r.dataset.actions ?? '']));
    const changedRows = items.length !== rows.size || items.some(([ref, actions]) => rows.get(ref) !== actions);
    if (changedRows) await refreshRegions();
    const news: string[] = [];
    const now = new Map<string, string>();
    for (const [ref, , item, name] of items) {
      now.set(ref, item.status);
      const cell = document.querySelector<HTMLElement>(`[data-status-ref="${CSS.escape(ref)}"]`);
      const before = lastStatus.get(ref) ?? cell?.dataset.status;
      if (before !== undefined && before !== item.status) news.push(`${name} is ${statusToWords(item.status)}.`);
      if (cell && !changedRows) renderStatusCell(cell, item);
    }
    lastStatus = now;
    if (news.length) announce(news.join(' '));
  }

  if (root.dataset.watch !== undefined) watch();
}
