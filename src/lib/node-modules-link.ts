import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from './errors.ts';

/**
 * Gives `dir` a link named node_modules to the project's packages, for a built server or a data
 * directory outside the project: Node finds packages by walking up from a file's own folder.
 *
 * A node_modules that is there and usable (a folder, or a link that resolves) is left as it is. A
 * link whose target is gone (a checkout removed since, as under /tmp) is replaced. The new link is
 * made under a name of its own and renamed into place, so two builds into the same parent folder
 * at once both succeed instead of one of them failing with EEXIST.
 */
export function linkProjectModules(projectRoot: string, dir: string): void {
  const link = path.join(dir, 'node_modules');
  if (existsSync(link)) return;
  const temporary = path.join(dir, `.node_modules-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(dir, { recursive: true });
    symlinkSync(path.join(projectRoot, 'node_modules'), temporary, 'dir');
    renameSync(temporary, link);
  } catch (err) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // the folder itself could not be made: there is no temporary link to remove
    }
    if (existsSync(link)) return; // made by another process meanwhile
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `${dir} is not writable` : code === 'ENOTDIR' ? 'a part of that path is a file, not a folder' : `${code} making the link`;
    throw new PorticoError(`cannot link ${link} to the project's packages: ${why}`, 'build into a folder whose parent folder you can write to, e.g. --out ./site');
  }
}
