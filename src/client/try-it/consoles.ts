// The full-document consoles (Scalar, Swagger UI), started with the portal's settings: every
// request goes through the same-origin relay, and a key this browser session keeps for an
// application subscribed to the API fills the API's key scheme.
import type { ConsoleSettings } from '../../lib/docs/vendor.ts';
import { keyForApi } from './access.ts';
import { relayUrl } from './request.ts';

declare global {
  interface Window {
    Scalar?: { createApiReference(el: HTMLElement, config: Record<string, unknown>): unknown };
    SwaggerUIBundle?: (config: Record<string, unknown>) => { preauthorizeApiKey(scheme: string, value: string): void };
  }
}

/** How long a console waits to learn the person's kept key before it starts without one. */
const KEY_WAIT_MS = 3000;

function settingsOf(el: HTMLElement): ConsoleSettings {
  return JSON.parse(el.dataset.console ?? '{}') as ConsoleSettings;
}

function keyWithin(api: string, ms: number) {
  return Promise.race([keyForApi(api), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

/** Says on the page which kept key the console uses, if any. */
function announce(key: { keyId: string; application: string } | undefined, settings: ConsoleSettings): void {
  const note = document.querySelector<HTMLElement>('[data-console-key]');
  if (note && key && settings.keySchemes.length > 0) note.textContent = `Using the key ${key.keyId ? `${key.keyId} ` : ''}that this browser session keeps for ${key.application}.`;
}

/** Starts Scalar, its requests through the relay (`proxyUrl`), with the kept key filled in. */
export async function startScalar(el: HTMLElement): Promise<void> {
  const settings = settingsOf(el);
  const key = await keyWithin(settings.api, KEY_WAIT_MS);
  const [first] = settings.keySchemes;
  const authentication =
    key && first
      ? { preferredSecurityScheme: first.name, securitySchemes: Object.fromEntries(settings.keySchemes.map((s) => [s.name, s.kind === 'apiKey' ? { value: key.key } : { token: key.key }])) }
      : undefined;
  announce(key, settings);
  // Scalar follows the portal's theme switch instead of offering a second one.
  const theme = { forceDarkModeState: document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light', hideDarkModeToggle: true };
  window.Scalar!.createApiReference(el, { ...settings.scalar, ...theme, ...(authentication ? { authentication } : {}) });
}

/** Starts Swagger UI; a request interceptor sends every call to another origin through the relay. */
export function startSwagger(el: HTMLElement): void {
  const settings = settingsOf(el);
  const key = keyWithin(settings.api, 10_000);
  const ui = window.SwaggerUIBundle!({
    domNode: el,
    url: settings.specUrl,
    deepLinking: true,
    // No badge from validator.swagger.io: pages call no other host.
    validatorUrl: null,
    // Request URL and curl show the API's own address, not the relay's.
    showMutatedRequest: false,
    requestInterceptor: (request: { url: string }) => {
      const url = new URL(request.url, location.href);
      if (url.origin !== location.origin) request.url = relayUrl(url.href);
      return request;
    },
    onComplete: () => {
      void key.then((found) => {
        announce(found, settings);
        if (found) for (const scheme of settings.keySchemes) ui.preauthorizeApiKey(scheme.name, found.key);
      });
    },
  });
}
