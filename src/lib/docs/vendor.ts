import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

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
