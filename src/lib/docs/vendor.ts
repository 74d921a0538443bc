import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OpenApiObject } from '../catalog/model.ts';
import { RELAY_PATH } from '../relay/path.ts';

const require = createRequire(import.meta.url);

/** A package's folder; its package.json is not always exported, so walk up from the entry point. */
function packageRoot(pkg: string): string {
  const entry = require.resolve(pkg);
  const marker = `${path.sep}node_modules${path.sep}${pkg.split('/').join(path.sep)}${path.sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The interactive views ship as the packages' own prebuilt browser bundles, copied as they are:
 * bundling them again in every site build cost ~900 MB and 8 s (decision 4). Versioned paths let
 * a CDN cache them forever.
 */
export function vendorFiles(): Array<{ from: string; url: string }> {
  const scalar = `/vendor/scalar-${versionOf('@scalar/api-reference')}`;
  const swagger = `/vendor/swagger-ui-${versionOf('swagger-ui-react')}`;
  const swaggerDir = packageRoot('swagger-ui-react');
  return [
    { from: path.join(packageRoot('@scalar/api-reference'), 'dist/browser/standalone.js'), url: `${scalar}/standalone.js` },
    { from: path.join(swaggerDir, 'swagger-ui-bundle.js'), url: `${swagger}/swagger-ui-bundle.js` },
    { from: path.join(swaggerDir, 'swagger-ui.css'), url: `${swagger}/swagger-ui.css` },
  ];
}

/** URLs of the interactive views' files, for the pages that load them. */
export function vendorUrls(): { scalar: string; swaggerJs: string; swaggerCss: string } {
  const [scalar, swaggerJs, swaggerCss] = vendorFiles().map((f) => f.url);
  return { scalar: scalar!, swaggerJs: swaggerJs!, swaggerCss: swaggerCss! };
}

/** Copies the interactive views' files into the built site. */
export function copyVendorFiles(clientDir: string): void {
  for (const file of vendorFiles()) {
    const target = path.join(clientDir, file.url);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(file.from, target);
  }
}

/** A security scheme the consoles can fill with a portal key: an API key, or a bearer token. */
export interface KeyScheme {
  name: string;
  kind: 'apiKey' | 'bearer';
}

/** What a full-document console page hands its script (src/client/try-it/consoles.ts). */
export interface ConsoleSettings {
  /** Catalog key of the API: which applications' kept keys fit. */
  api: string;
  specUrl: string;
  keySchemes: KeyScheme[];
  /** Scalar's own configuration; Swagger UI's is fixed in the script. */
  scalar?: Record<string, unknown>;
}

/** The schemes a portal key can fill, API keys first (a portal key is one). */
export function keySchemes(schemes: Record<string, OpenApiObject>): KeyScheme[] {
  const all = Object.entries(schemes).flatMap(([name, s]): KeyScheme[] =>
    s.type === 'apiKey' ? [{ name, kind: 'apiKey' }] : s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer' ? [{ name, kind: 'bearer' }] : [],
  );
  return [...all.filter((s) => s.kind === 'apiKey'), ...all.filter((s) => s.kind === 'bearer')];
}

/**
 * The settings of the Scalar and Swagger UI pages. Both read the servers from the spec download
 * (the servers the portal shows) and send every request through the relay: Scalar through its
 * `proxyUrl` (it appends `?scalar_url=<target>`, which the relay reads), Swagger UI through a
 * request interceptor.
 */
export function consoleSettings(api: { key: string }, specUrl: string, schemes: Record<string, OpenApiObject>, view: 'scalar' | 'swagger'): ConsoleSettings {
  return {
    api: api.key,
    specUrl,
    keySchemes: keySchemes(schemes),
    // Scalar calls no other host: no fonts from a CDN, no telemetry, no "Ask AI" agent.
    ...(view === 'scalar' ? { scalar: { url: specUrl, proxyUrl: RELAY_PATH, withDefaultFonts: false, telemetry: false, showDeveloperTools: 'never', agent: { disabled: true } } } : {}),
  };
}
