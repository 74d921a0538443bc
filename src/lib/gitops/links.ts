/**
 * Links to a commit on the Git host's web interface, for the hosts whose URL scheme Portico knows
 * (GitHub, GitLab, Bitbucket, Codeberg); undefined for anything else, the embedded repository included.
 */
export function commitUrl(remote: string, sha: string): string | undefined {
  if (!/^[0-9a-f]{7,64}$/.test(sha)) return undefined;
  const match = /^(?:https:\/\/(?:[^@/]+@)?|ssh:\/\/git@|git@)(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)[:/](.+?)(?:\.git)?\/?$/.exec(remote);
  if (!match) return undefined;
  const [, host, repository] = match;
  if (!repository || repository.split('/').some((part) => !part || part === '..')) return undefined;
  const path = host === 'bitbucket.org' ? 'commits' : host === 'gitlab.com' ? '-/commit' : 'commit';
  return `https://${host}/${repository}/${path}/${sha}`;
}

/**
 * Links to a file on a branch on the Git host's web interface (GitHub, GitLab, Bitbucket, Codeberg);
 * undefined for other hosts.
 */
export function fileUrl(remote: string, branch: string, filePath: string): string | undefined {
  const match = /^(?:https:\/\/(?:[^@/]+@)?|ssh:\/\/git@|git@)(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)[:/](.+?)(?:\.git)?\/?$/.exec(remote);
  if (!match || !branch || branch === 'HEAD') return undefined;
  const [, host, repository] = match;
  if (!repository || repository.split('/').some((part) => !part || part === '..')) return undefined;
  const file = filePath.split('/').map(encodeURIComponent).join('/');
  const ref = encodeURIComponent(branch).replace(/%2F/g, '/');
  const at = host === 'github.com' ? `blob/${ref}` : host === 'gitlab.com' ? `-/blob/${ref}` : host === 'bitbucket.org' ? `src/${ref}` : `src/branch/${ref}`;
  return `https://${host}/${repository}/${at}/${file}`;
}
