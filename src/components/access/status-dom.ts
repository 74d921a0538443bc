// Browser side of StatusText.astro: writes a status cell with the DOM (textContent only, so
// nothing a person typed can become markup).
import { describeStatus, formatDay, type KeyView, type SubscriptionView } from './status.ts';

/** Replaces the content of a `.status-cell` with the item's current status, if it changed (a focused link stays). */
export function renderStatusCell(cell: HTMLElement, item: SubscriptionView | KeyView): void {
  const d = describeStatus(item);
  const shown = JSON.stringify(d);
  if (cell.dataset.shown === shown) return;
  cell.dataset.shown = shown;
  const parts: Node[] = [];
  const word = document.createElement('span');
  word.className = `status status-${d.status}`;
  word.textContent = d.words;
  parts.push(word);
  if (d.commit) {
    const wrap = document.createElement('span');
    wrap.className = 'status-commit';
    const code = document.createElement('code');
    code.textContent = d.commit;
    if (d.commitUrl) {
      const link = document.createElement('a');
      link.href = d.commitUrl;
      link.setAttribute('aria-label', `commit ${d.commit}`);
      link.append(code);
      wrap.append(link);
    } else {
      wrap.append(code);
    }
    parts.push(wrap);
  }
  for (const note of d.notes) {
    const span = document.createElement('span');
    span.className = 'status-note';
    span.textContent = note;
    parts.push(span);
  }
  cell.replaceChildren(...parts);
  cell.dataset.status = d.status;
}

/**
 * Puts a key just created into the keys list at once, from the create answer, in place of "No keys
 * yet." if that was shown: the list is right before the page has fetched its full rendering (which
 * then replaces this row with one that has the key's actions), and stays right if that fetch fails.
 */
export function showCreatedKey(region: HTMLElement, key: KeyView): void {
  if (!key.keyId || region.querySelector(`[data-row-ref="key:${CSS.escape(key.keyId)}"]`)) return;
  let body = region.querySelector('tbody');
  if (!body) {
    const table = document.createElement('table');
    table.className = 'data-table access-table';
    const head = document.createElement('thead');
    const row = document.createElement('tr');
    for (const name of ['Title', 'Key id', 'Created', 'Expires', 'Status', 'Actions']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name;
      row.append(th);
    }
    head.append(row);
    body = document.createElement('tbody');
    table.append(head, body);
    region.replaceChildren(table);
  }
  const row = document.createElement('tr');
  row.dataset.rowRef = `key:${key.keyId}`;
  const title = document.createElement('th');
  title.scope = 'row';
  title.textContent = key.title;
  if (key.replaces) {
    const replaces = document.createElement('span');
    replaces.className = 'muted';
    const old = document.createElement('code');
    old.textContent = key.replaces;
    replaces.append('replaces ', old);
    title.append(document.createElement('br'), replaces);
  }
  const id = document.createElement('td');
  const code = document.createElement('code');
  code.textContent = key.keyId;
  id.append(code);
  const cell = (text: string) => Object.assign(document.createElement('td'), { textContent: text });
  const status = document.createElement('td');
  const statusCell = document.createElement('span');
  statusCell.className = 'status-cell';
  statusCell.dataset.statusRef = `key:${key.keyId}`;
  renderStatusCell(statusCell, key);
  status.append(statusCell);
  row.append(title, id, cell(formatDay(key.createdAt)), cell(key.expiresAt ? formatDay(key.expiresAt) : 'never'), status, cell(''));
  body.prepend(row);
}
