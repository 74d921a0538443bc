import { GitError, type GitWorkspace, type Trailers } from './git.ts';
import type { RenderedFiles } from './render/types.ts';

export interface PublishResult {
  /** The commit that carries the change, or undefined when the rendered files were already there. */
  commit?: string;
  /** The branch tip after publishing: the new commit, or the commit that already had the files. */
  tip: string;
  attempts: number;
  /** When the commit was made (ms since the epoch), and how long its push took, for the metrics. */
  committedAt?: number;
  pushSeconds?: number;
}

/**
 * Render, commit, push, as one step with hard seams: `render` is pure and sees only the grants, this
 * function only moves files through Git. A push rejected because someone else pushed is handled by
 * syncing to the new tip and rendering again there, up to `maxAttempts` times.
 */
export async function publishRendered(
  workspace: GitWorkspace,
  folder: string,
  render: () => RenderedFiles | Promise<RenderedFiles>,
  message: string,
  trailers: Trailers,
  options: {
    maxAttempts?: number;
    /** Runs on each fresh tip before rendering (the writer starts merges of approved branches here). */
    prepare?: () => Promise<void>;
    /** The tip a sync the caller just made returned: the first attempt starts there without fetching again. */
    synced?: string;
  } = {},
): Promise<PublishResult> {
  const { maxAttempts = 5, prepare } = options;
  let lastError: GitError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tip = attempt === 1 && options.synced ? options.synced : await workspace.sync();
    await prepare?.();
    workspace.writeFolder(folder, await render());
    const commit = await workspace.commit(folder, message, trailers);
    if (!commit) return { commit: undefined, tip, attempts: attempt };
    const committedAt = Date.now();
    try {
      await workspace.push();
      return { commit, tip: commit, attempts: attempt, committedAt, pushSeconds: (Date.now() - committedAt) / 1000 };
    } catch (err) {
      if (!(err instanceof GitError) || !err.retryable || !/has commits this portal does not have/.test(err.message)) throw err;
      lastError = err;
    }
  }
  throw new GitError(`push: gave up after ${maxAttempts} attempts; ${lastError?.message ?? ''}`.trim(), true);
}
