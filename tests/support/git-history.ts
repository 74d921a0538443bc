import { execFileSync } from 'node:child_process';

/** Read-only git in `cwd`, never reading the user's configuration. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

/**
 * The key hashes and key ids of the HAProxy map committed on `main` of `repo` (lines `<sha256> <id>`),
 * or none when nothing is committed there yet.
 */
export function committedKeysMap(repo: string): Array<[hash: string, keyId: string]> {
  let map: string;
  try {
    map = execFileSync('git', ['show', 'main:consumers/haproxy/keys.map'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
  } catch {
    return []; // no commit, or no map in it yet
  }
  return map
    .split('\n')
    .filter((l) => /^[0-9a-f]{64} /.test(l))
    .map((l) => l.split(' ') as [string, string]);
}

/** What one commit did, read from `git log -p`. */
export interface CommitChange {
  sha: string;
  /** Files the commit created. */
  created: Set<string>;
  /** Lines the commit added, by file (without the leading `+`). */
  added: Map<string, string[]>;
  /** The values of its `Portico-Request` trailers. */
  requests: string[];
}

/**
 * Walks the whole history of a repository (every ref) and says, per commit, which files it created,
 * which lines it added and which requests its trailers name: what "exactly once" is checked against.
 */
export function readHistory(repo: string): CommitChange[] {
  const trailers = new Map<string, string[]>();
  for (const block of gitIn(repo, 'log', '--all', '--format=%x1e%H%n%(trailers:key=Portico-Request,valueonly)').split('\x1e').slice(1)) {
    const [sha, ...values] = block.trim().split('\n');
    trailers.set(sha!, values.map((v) => v.trim()).filter(Boolean));
  }
  const commits: CommitChange[] = [];
  for (const block of gitIn(repo, 'log', '--all', '-p', '--no-color', '--no-renames', '--format=%x1e%H').split('\x1e').slice(1)) {
    const lines = block.split('\n');
    const sha = lines[0]!.trim();
    const change: CommitChange = { sha, created: new Set(), added: new Map(), requests: trailers.get(sha) ?? [] };
    let file = '';
    for (const line of lines.slice(1)) {
      const header = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
      if (header) {
        file = header[2]!;
        continue;
      }
      if (line.startsWith('new file mode')) change.created.add(file);
      else if (line.startsWith('+++ ') || line.startsWith('--- ')) continue;
      else if (line.startsWith('+')) {
        if (!change.added.has(file)) change.added.set(file, []);
        change.added.get(file)!.push(line.slice(1));
      }
    }
    commits.push(change);
  }
  return commits;
}
