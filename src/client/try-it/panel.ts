// The Try it panel of an operation page, loaded only when someone opens it (TryIt.astro's loader).
// It sends the request through the portal's relay, shows the answer and the same request as curl.
// Everything from the spec, the API or the person reaches the page through textContent.
import type { TryItSpec } from '../../lib/docs/try-it.ts';
import { loadAccess, storedKey, type Access, type SubscribedApplication } from './access.ts';
import { explainAnswer, RELAYED_HEADER } from './answer.ts';
import { buildRequest, curlCommand, parameterKey, relayHeaders, relayUrl, type BuiltRequest, type FormValues } from './request.ts';
// As a string, put in the page on first open: imported as CSS, the build would add it to every operation page.
import styles from './try-it.css?inline';

type Child = Node | string | false | undefined;

/** A small element builder: attributes as given, children as nodes or text (never HTML). */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== false && child !== undefined) el.append(child);
  return el;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const MAX_SHOWN_CHARS = 200_000;
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding'];
let panels = 0;

function formatBytes(n: number): string {
  return n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The page carries JSON examples compact; people edit them indented. */
function indentJson(mediaType: string, text: string): string {
  if (!/json/i.test(mediaType)) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function credentialLabel(spec: TryItSpec): string {
  const auth = spec.auth!;
  if (auth.kind === 'apiKey') return `API key, sent in the ${auth.in === 'query' ? 'query parameter' : auth.in === 'cookie' ? 'cookie' : 'header'} ${auth.name}`;
  if (auth.kind === 'bearer') return 'Token, sent as Authorization: Bearer';
  return 'User name and password, as user:password (HTTP Basic)';
}

/** Opens the panel inside its <details>: builds the form, then looks for the person's applications. */
export function mountTryIt(details: HTMLElement): void {
  if (details.dataset.mounted !== undefined) return;
  details.dataset.mounted = '';
  if (!document.getElementById('try-it-styles')) document.head.append(h('style', { id: 'try-it-styles' }, styles));
  const target = details.querySelector<HTMLElement>('[data-try-it-body]') ?? details;
  let spec: TryItSpec;
  try {
    spec = JSON.parse(details.dataset.tryIt ?? '') as TryItSpec;
  } catch {
    target.replaceChildren(h('p', { role: 'alert' }, 'This page carries no usable Try it data; the curl sample works without it.'));
    return;
  }
  const id = (name: string) => `try-it-${++panels}-${name}`;

  // ---- server, credentials, parameters, body -------------------------------------------------
  const serverSelect = h('select', { id: id('server') }, ...spec.servers.map((s) => h('option', { value: s }, s)));
  const accessStatus = h('p', { class: 'try-it-access', role: 'status' });
  const appSelect = h('select', { id: id('app') });
  const appRow = h('p', { class: 'try-it-field', hidden: true }, h('label', { for: appSelect.id }, 'Application'), appSelect);
  const keyInput = h('input', { id: id('key'), type: 'password', autocomplete: 'off', spellcheck: 'false', class: 'try-it-key' });
  const keyNote = h('p', { class: 'muted try-it-note' });
  const authFields = spec.auth
    ? [accessStatus, appRow, h('p', { class: 'try-it-field' }, h('label', { for: keyInput.id }, credentialLabel(spec)), keyInput), keyNote]
    : [h('p', {}, spec.anonymous ? 'This operation needs no credentials.' : "The browser cannot send this operation's credentials; the curl command below shows the request.")];
  const paramInputs = spec.parameters.map((p, i) => {
    const attrs = { id: id(`param-${i}`), 'data-param': parameterKey(p), ...(p.required ? { 'aria-required': 'true' } : {}) };
    // An enum is a choice of its values; an optional one can also be left out.
    const input = p.options
      ? h('select', attrs, ...(p.required ? [] : [h('option', { value: '' }, '(not sent)')]), ...p.options.map((o) => h('option', { value: o }, o)))
      : h('input', { ...attrs, type: 'text', spellcheck: 'false' });
    input.value = p.value;
    const where = `${p.in}${p.required ? ', required' : ''}`;
    return { p, input, row: h('p', { class: 'try-it-field' }, h('label', { for: input.id }, h('code', {}, p.name), ' ', h('span', { class: 'muted' }, where)), input) };
  });
  const bodyValue = spec.body ? indentJson(spec.body.mediaType, spec.body.value) : '';
  const bodyInput = spec.body ? h('textarea', { id: id('body'), rows: String(Math.min(16, Math.max(4, bodyValue.split('\n').length + 1))), spellcheck: 'false' }) : undefined;
  if (bodyInput) bodyInput.value = bodyValue;
  const problem = h('p', { role: 'alert', class: 'try-it-problem' });
  const send = h('button', { type: 'submit', class: 'try-it-send' }, `Send ${spec.method}`);
  const form = h(
    'form',
    { class: 'try-it-form', novalidate: true },
    h('p', { class: 'try-it-field' }, h('label', { for: serverSelect.id }, 'Server'), serverSelect),
    h('fieldset', {}, h('legend', {}, 'Authentication'), ...authFields),
    paramInputs.length > 0 && h('fieldset', {}, h('legend', {}, 'Parameters'), ...paramInputs.map((x) => x.row)),
    bodyInput &&
      spec.body &&
      h(
        'p',
        { class: 'try-it-field' },
        h('label', { for: bodyInput.id }, 'Body ', h('code', {}, spec.body.mediaType), spec.body.required ? '' : h('span', { class: 'muted' }, ' optional')),
        bodyInput,
      ),
    spec.body?.tooLarge && h('p', { class: 'muted' }, 'The example is too large to fill in here; paste the body you want to send.'),
    problem,
    h('p', {}, send),
  );

  // ---- the answer and the curl command --------------------------------------------------------
  const answer = h('section', { class: 'try-it-answer', 'aria-label': 'Answer', 'aria-live': 'polite', hidden: true });
  const curlCode = h('code', {});
  const copyStatus = h('span', { role: 'status', class: 'muted' });
  const copy = h('button', { type: 'button' }, 'Copy');
  const curl = h(
    'section',
    { class: 'try-it-curl', 'aria-label': 'The same request with curl' },
    h(
      'p',
      {},
      h('strong', {}, 'The same request with curl'),
      ' ',
      h(
        'span',
        { class: 'muted' },
        spec.auth ? `(it reads the credential from ${spec.auth.kind === 'bearer' ? '$TOKEN' : spec.auth.kind === 'basic' ? '$API_USER and $API_PASSWORD' : '$API_KEY'})` : '',
      ),
    ),
    h('pre', { tabindex: '0' }, curlCode),
    h('p', {}, copy, ' ', copyStatus),
  );
  target.replaceChildren(h('div', { class: 'try-it-panel' }, form, answer, curl));

  // ---- behaviour ------------------------------------------------------------------------------
  let access: Access | undefined;
  let chosen: SubscribedApplication | undefined;

  const values = (): FormValues => ({
    server: serverSelect.value,
    parameters: Object.fromEntries(paramInputs.map(({ p, input }) => [parameterKey(p), input.value])),
    ...(bodyInput ? { body: bodyInput.value } : {}),
    ...(spec.auth ? { credential: keyInput.value } : {}),
  });

  const refreshCurl = () => {
    const built = buildRequest(spec, values(), { lenient: true });
    if ('problem' in built) return;
    curlCode.textContent = curlCommand(built, spec.auth, keyInput.value);
  };
  form.addEventListener('input', refreshCurl);
  form.addEventListener('change', refreshCurl);
  refreshCurl();

  copy.addEventListener('click', async () => {
    copyStatus.textContent = '';
    try {
      await navigator.clipboard.writeText(curlCode.textContent ?? '');
      copyStatus.textContent = 'Copied';
    } catch {
      // No clipboard access (permission refused, older browser): select it for the person to copy.
      getSelection()?.selectAllChildren(curlCode);
      copyStatus.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  });

  /** Fills the key field with the chosen application's kept key, and says where it came from. */
  const chooseApplication = (app: SubscribedApplication | undefined) => {
    chosen = app;
    if (!app) return;
    const kept = storedKey(app.id);
    keyInput.value = kept?.key ?? '';
    const words = kept
      ? [`Using the key ${kept.keyId ? `${kept.keyId} ` : ''}that this browser session keeps for ${app.name}.`]
      : [`This browser holds no key for ${app.name}. Paste one in the field above, or create one on `, h('a', { href: '/account/' }, 'your account page'), ' and tick “keep in this browser session”.'];
    keyNote.replaceChildren(...words, app.caveat ? ` Note: ${app.caveat}.` : '');
    refreshCurl();
  };
  appSelect.addEventListener('change', () => chooseApplication(access && 'applications' in access ? access.applications.find((a) => a.id === appSelect.value) : undefined));

  const showAccess = (result: Access) => {
    access = result;
    const pasteWords = 'Paste a key below: it goes only to this API, through the portal, and is kept nowhere.';
    if (!result.signedIn) {
      const next = `${location.pathname}#try-it`;
      accessStatus.replaceChildren(h('a', { href: `/account/sign-in/?next=${encodeURIComponent(next)}` }, 'Sign in'), ' to use your key. ', pasteWords);
      return;
    }
    if ('error' in result) {
      accessStatus.replaceChildren(`${result.error} ${pasteWords}`);
      return;
    }
    if (result.applications.length === 0) {
      const plans = result.offers.map((o) => `${o.plan.title} (${o.plan.limits})`).join(' or the plan ');
      const account = h('a', { href: '/account/' }, 'your account page');
      const keep = 'tick “keep in this browser session”. ';
      accessStatus.replaceChildren(
        ...(!plans
          ? [`No plan you can subscribe to includes this operation of ${spec.apiTitle}; ask the portal's team for access. `]
          : result.hasApplications
            ? [`None of your applications is subscribed to ${spec.apiTitle}. Subscribe one to the plan ${plans} on `, account, `, then create a key there and ${keep}`]
            : ['You have no application yet. On ', account, `, create one, subscribe it to the plan ${plans}, then create a key and ${keep}`]),
        pasteWords,
      );
      return;
    }
    accessStatus.replaceChildren(`Your applications subscribed to ${spec.apiTitle}:`);
    appSelect.replaceChildren(...result.applications.map((app) => h('option', { value: app.id }, `${app.name}${app.plan ? ` (plan ${app.plan.title})` : ''}${app.caveat ? ' (see the note)' : ''}`)));
    appRow.hidden = false;
    // The first application whose key this browser holds, else the first one.
    const first = result.applications.find((a) => storedKey(a.id) && !a.caveat) ?? result.applications.find((a) => storedKey(a.id)) ?? result.applications[0];
    appSelect.value = first!.id;
    chooseApplication(first);
  };

  if (spec.auth) {
    accessStatus.textContent = `Looking for your applications subscribed to ${spec.apiTitle}…`;
    loadAccess({ api: spec.api, operationSets: spec.operationSets }).then(showAccess, (err: unknown) =>
      showAccess({ signedIn: true, error: `Your applications could not be read (${(err as Error).message}).` }),
    );
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.textContent = '';
    const built = buildRequest(spec, values());
    if ('problem' in built) {
      problem.textContent = built.problem;
      return;
    }
    send.disabled = true;
    form.setAttribute('aria-busy', 'true');
    answer.hidden = false;
    answer.replaceChildren(h('p', { class: 'muted' }, 'Sending…'));
    try {
      await sendThroughRelay(built, answer, { sentCredential: Boolean(spec.auth && keyInput.value.trim()), ...(chosen?.plan ? { plan: chosen.plan } : {}) });
    } finally {
      send.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

/** Sends the request through the relay and shows status, timing, headers and a readable body. */
async function sendThroughRelay(request: BuiltRequest, answer: HTMLElement, context: { sentCredential: boolean; plan?: { title: string; limits: string } }): Promise<void> {
  const headers = relayHeaders(request);
  const started = performance.now();
  let response: Response;
  let bytes: ArrayBuffer;
  try {
    response = await fetch(relayUrl(request.url), {
      method: request.method,
      headers,
      body: request.body !== undefined && !['GET', 'HEAD'].includes(request.method) ? request.body : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
    });
    bytes = await response.arrayBuffer();
  } catch (err) {
    answer.replaceChildren(h('p', { class: 'try-it-explain try-it-refused' }, `The portal could not be reached: ${(err as Error).message}. Check your connection, then send again.`));
    return;
  }
  const ms = Math.round(performance.now() - started);
  const type = response.headers.get('content-type') ?? '';
  const binary = bytes.byteLength > 0 && !/^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)|application\/problem)/i.test(type) && type !== '';
  const text = binary ? '' : new TextDecoder().decode(bytes);
  const explanation = explainAnswer({ status: response.status, headers: response.headers, body: text }, context);
  const relayed = response.headers.get(RELAYED_HEADER);
  const shown = response.headers.has(RELAYED_HEADER) || !explanation;
  // The relay's own and the portal connection's headers are not the API's. Others named X-Portico-
  // are: the demo gateway's upstream marks its answers with X-Portico-Demo.
  const headerRows = [...response.headers].filter(([name]) => name !== RELAYED_HEADER && !HOP_BY_HOP.includes(name)).sort(([a], [b]) => a.localeCompare(b));
  answer.replaceChildren(
    h(
      'p',
      { class: 'try-it-summary' },
      h('strong', { class: `try-it-status try-it-status-${String(response.status)[0]}xx` }, `${response.status} ${REASONS[response.status] ?? ''}`.trim()),
      ` · ${ms} ms · ${formatBytes(bytes.byteLength)}`,
      relayed ? h('span', { class: 'muted' }, ` · from ${relayed}`) : '',
    ),
    explanation ? h('div', { class: `try-it-explain try-it-${explanation.kind}` }, h('p', {}, explanation.title), explanation.detail ? h('p', {}, explanation.detail) : '') : '',
    shown && headerRows.length > 0
      ? h(
          'details',
          {},
          h('summary', {}, `Headers (${headerRows.length})`),
          h('table', {}, h('tbody', {}, ...headerRows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value))))),
        )
      : '',
    shown ? prettyBody(text, type, bytes.byteLength, binary) : '',
  );
}

function prettyBody(text: string, type: string, size: number, binary: boolean): HTMLElement | string {
  if (size === 0) return h('p', { class: 'muted' }, 'No body.');
  if (binary) return h('p', { class: 'muted' }, `${formatBytes(size)} of ${type}, not shown.`);
  let pretty = text;
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // Not JSON after all: shown as it came.
    }
  }
  const cut = pretty.length > MAX_SHOWN_CHARS;
  return h(
    'div',
    {},
    h('pre', { class: 'try-it-body', tabindex: '0' }, h('code', {}, cut ? pretty.slice(0, MAX_SHOWN_CHARS) : pretty)),
    cut ? h('p', { class: 'muted' }, `Shortened to the first ${MAX_SHOWN_CHARS.toLocaleString('en')} characters; the curl command gets it all.`) : '',
  );
}
