import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The security headers of every answer, static pages included. The Content-Security-Policy of a
 * page allows scripts from the portal's own origin and the page's own inline scripts by hash (the
 * dark-mode switch, Astro's server-island loaders), never other inline script or eval. Styles may
 * be inline: Scalar and Swagger UI set style attributes and inject <style> elements at run time.
 */

/** Headers every answer carries, whatever it is. */
export function baseSecurityHeaders(publicUrl: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    // HSTS only where the portal is reached over HTTPS: on plain HTTP a browser ignores it anyway,
    // and on a local http://localhost portal it would only confuse.
    ...(publicUrl.startsWith('https://') ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'content-security-policy': DATA_CSP,
  };
}

/** The policy of an answer that is data (JSON, files): it may run and embed nothing. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The policy of a script file. It matters only when the script runs as a worker, which takes its
 * policy from its own answer: the search index's worker fetches its index from the portal and
 * compiles WebAssembly.
 */
export const SCRIPT_FILE_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The policy of an HTML page whose inline scripts have these hashes (`sha256-…`). */
export function pageCsp(scriptHashes: readonly string[]): string {
  const scripts = ["'self'", ...[...new Set(scriptHashes)].sort().map((h) => `'${h}'`)].join(' ');
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self' 'unsafe-inline'",
    // Logos and images in descriptions may come from the API owner's own hosts.
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    // Try it calls APIs through the same-origin relay, never directly.
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const INLINE_SCRIPT = /<script\b((?:[^>"']|"[^"]*"|'[^']*')*)>([\s\S]*?)<\/script\s*>/gi;

/** The `sha256-…` hashes of an HTML document's inline scripts (those without `src`, and not JSON data blocks). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    const attributes = match[1] ?? '';
    if (/\ssrc\s*=/i.test(attributes)) continue;
    const type = /\stype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase();
    if (type && type !== 'module' && type !== 'text/javascript' && type !== 'application/javascript') continue; // data, not script
    hashes.push(
      `sha256-${createHash('sha256')
        .update(match[2] ?? '', 'utf8')
        .digest('base64')}`,
    );
  }
  return hashes;
}

/** Pages a browser must never keep: account, application and admin pages, and the JSON about a person. */
export function isPrivatePath(pathname: string): boolean {
  return /^\/(account|admin)(\/|$)/.test(pathname) || /^\/api\/v1\/(me|applications|admin|auth)(\/|$)/.test(pathname);
}

/** Name of the file, beside the built site's client folder, that holds each static page's script hashes. */
export const PAGE_CSP_FILE = 'page-csp.json';

/** Reads every static HTML page under `clientDir` and maps its URL paths to its inline scripts' hashes. */
export function collectPageScriptHashes(clientDir: string): Record<string, string[]> {
  const pages: Record<string, string[]> = {};
  const walk = (dir: string, urlPath: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${urlPath}${entry.name}/`);
      else if (entry.name.endsWith('.html')) {
        const hashes = inlineScriptHashes(readFileSync(path.join(dir, entry.name), 'utf8'));
        pages[`${urlPath}${entry.name}`] = hashes;
        if (entry.name === 'index.html') pages[urlPath] = hashes;
      }
    }
  };
  walk(clientDir, '/');
  return pages;
}

/** Writes the page hashes of a built site beside its client folder, where `portico serve` reads them. */
export function writePageCspFile(clientDir: string): number {
  const pages = collectPageScriptHashes(clientDir);
  writeFileSync(path.join(path.dirname(path.resolve(clientDir)), PAGE_CSP_FILE), JSON.stringify(pages));
  return Object.keys(pages).length;
}
