import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest push event read; GitHub caps its payloads at 25 MB, but a push with its commit list is far smaller. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Where the push webhook answers. */
export const PUSH_WEBHOOK_PATH = '/api/v1/hooks/git';

/** What the webhook needs: the shared secret, the branch followed, the portal's own origin, and what to do on a push to it. */
export interface PushWebhookOptions {
  secret?: string;
  branch: string;
  publicOrigin: string;
  onPush(event: { host: 'github' | 'gitlab' | 'gitea'; commit?: string }): void;
}

/** Equal in constant time, whatever the lengths (both sides are hashed first). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const problem = status >= 400;
  const payload = problem ? { type: `https://portico.dev/problems/${body.code}`, title: body.title, status, detail: body.detail, code: body.code } : body;
  res.writeHead(status, { 'content-type': problem ? 'application/problem+json' : 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The push webhook of GitHub, GitLab and Gitea (or Forgejo): a push to the followed branch makes the
 * portal check the branch now instead of at its next poll. Authenticated by the shared secret
 * (GitHub's and Gitea's HMAC-SHA256 of the body, GitLab's token header), compared in constant time.
 * It holds no session and reads no cookie, so there is nothing for another site to ride on; a
 * request that a browser sent from another origin is refused all the same. The answer never says
 * more than whether the request was taken.
 */
export function pushWebhook(options: PushWebhookOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, options).catch(() => {
      if (!res.headersSent) answer(res, 400, { code: 'bad-request', title: 'Bad request', detail: 'The request could not be read.' });
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: PushWebhookOptions): Promise<void> {
  if (!options.secret) {
    answer(res, 404, {
      code: 'webhook-off',
      title: 'Not found',
      detail: 'The push webhook is off: the portal has no PORTICO_WEBHOOK_SECRET. It still checks the branch every PORTICO_DOCS_POLL_SECONDS.',
    });
    return;
  }
  const origin = req.headers.origin;
  if (origin && origin !== options.publicOrigin) {
    answer(res, 403, { code: 'cross-origin', title: 'Forbidden', detail: `Refused: requests from ${origin} are not accepted.` });
    return;
  }
  const body = await readBody(req);
  if (!body) {
    answer(res, 413, { code: 'too-large', title: 'Request too large', detail: `A push event is at most ${MAX_BODY_BYTES / 1024 / 1024} MB.` });
    return;
  }
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const hmac = () => createHmac('sha256', options.secret!).update(body).digest('hex');
  let host: 'github' | 'gitlab' | 'gitea';
  let authentic: boolean;
  let event: string;
  if (header('x-gitea-event') || header('x-forgejo-event')) {
    host = 'gitea';
    event = header('x-gitea-event') ?? header('x-forgejo-event')!;
    const signature = header('x-gitea-signature') ?? header('x-forgejo-signature') ?? '';
    authentic = sameSecret(signature.toLowerCase(), hmac());
  } else if (header('x-github-event')) {
    host = 'github';
    event = header('x-github-event')!;
    authentic = sameSecret(header('x-hub-signature-256') ?? '', `sha256=${hmac()}`);
  } else if (header('x-gitlab-event')) {
    host = 'gitlab';
    event = header('x-gitlab-event')!;
    authentic = sameSecret(header('x-gitlab-token') ?? '', options.secret);
  } else {
    answer(res, 400, {
      code: 'unknown-sender',
      title: 'Bad request',
      detail: 'This is not a push event of GitHub, GitLab or Gitea: none of X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event is set.',
    });
    return;
  }
  if (!authentic) {
    answer(res, 401, {
      code: 'bad-signature',
      title: 'Not signed in',
      detail: `The ${host === 'gitlab' ? 'X-Gitlab-Token header' : 'signature'} does not match the portal's webhook secret; set the same secret in the webhook's settings as in PORTICO_WEBHOOK_SECRET.`,
    });
    return;
  }
  if (event === 'ping') {
    answer(res, 200, { status: 'pong' });
    return;
  }
  if (!/^(push|Push Hook)$/.test(event)) {
    answer(res, 202, { status: 'ignored', reason: `the portal acts on push events, not ${event}` });
    return;
  }
  let payload: { ref?: unknown; after?: unknown };
  try {
    payload = JSON.parse(body.toString('utf8')) as typeof payload;
  } catch {
    answer(res, 400, { code: 'bad-json', title: 'Bad request', detail: 'The push event is not JSON; set the webhook content type to application/json.' });
    return;
  }
  if (payload.ref !== `refs/heads/${options.branch}`) {
    answer(res, 202, { status: 'ignored', reason: `the push is to ${String(payload.ref)}; the docs follow refs/heads/${options.branch}` });
    return;
  }
  const commit = typeof payload.after === 'string' && /^[0-9a-f]{40}$/.test(payload.after) ? payload.after : undefined;
  options.onPush({ host, commit });
  answer(res, 202, { status: 'checking', branch: options.branch });
}
