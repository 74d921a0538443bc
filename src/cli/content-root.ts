import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../lib/errors.ts';

/**
 * The content root a command reads when it is given none: the configured one
 * (PORTICO_CONTENT_DIR), else a `content/` folder where the command runs (Portico's own checkout
 * and its demo), else the folder the command runs in — a platform team runs `portico lint` at the
 * top of its own GitOps repository. A root that does not exist is named as such.
 */
export function resolveContentRoot(given: string | undefined, env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  const configured = env.PORTICO_CONTENT_DIR?.trim();
  const root = given ? path.resolve(cwd, given) : configured ? path.resolve(cwd, configured) : existsSync(path.join(cwd, 'content')) ? path.join(cwd, 'content') : cwd;
  if (!existsSync(root)) {
    const source = given ? 'the folder given' : 'PORTICO_CONTENT_DIR';
    throw new PorticoError(`there is no content folder at ${root} (${source})`, 'give the folder of your GitOps repository, e.g. `portico lint path/to/repo`, or run the command at its top');
  }
  if (!statSync(root).isDirectory()) throw new PorticoError(`${root} is a file, not a content folder`, 'give the folder that holds your manifests and OpenAPI documents');
  return root;
}
