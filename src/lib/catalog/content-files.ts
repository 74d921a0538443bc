import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Why a file of the content root was not read. */
export type UnreadReason = 'missing' | 'outside' | 'unreadable';

export type ContentRead = { ok: true; bytes: Buffer } | { ok: false; reason: UnreadReason /** The system's code (ENOENT, EACCES...), when there is one. */; code?: string };

/**
 * The content root as the file system sees it. A spec is untrusted input: a symbolic link in the
 * repository (`leak.yaml -> /etc/passwd`, or a linked folder) must not let it read files elsewhere,
 * so every read first resolves the real path and refuses one outside the root, without opening it.
 */
export class ContentRoot {
  readonly root: string;
  private realRoot: string | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Where `rel` really is (links resolved): inside the root, outside it, or nowhere. */
  locate(rel: string): { where: 'inside' | 'outside'; real: string } | { where: 'missing' | 'unreadable'; code?: string } {
    let real: string;
    try {
      this.realRoot ??= realpathSync(this.root);
      real = realpathSync(path.join(this.root, rel));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { where: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', code };
    }
    return { where: isWithin(real, this.realRoot) ? 'inside' : 'outside', real };
  }

  /** Reads a file below the root, refusing (and never opening) one whose real path is outside it. */
  read(rel: string): ContentRead {
    const at = this.locate(rel);
    if (!('real' in at)) return { ok: false, reason: at.where, code: at.code };
    if (at.where === 'outside') return { ok: false, reason: 'outside' };
    try {
      return { ok: true, bytes: readFileSync(at.real) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', code };
    }
  }
}

function isWithin(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}
