// Browser side of StatusText.astro: writes a status cell with the DOM (textContent only, so
// nothing a person typed can become markup).
import { describeStatus, type KeyView, type SubscriptionView } from './status.ts';

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
