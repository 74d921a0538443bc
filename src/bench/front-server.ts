import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * The one server every page of the weight benchmark goes through, Portico's and the anchors' alike:
 * it serves the anchors' files from memory and passes everything else to a running portal, and
 * gzips every text answer the same way (level 6), so compression favours no one. It records the
 * gzip bytes it sent per path, which is what the page-weight figures add up.
 */
export interface FrontServer {
  base: string;
  /** Bytes of the last answer per path (gzip when the answer was compressed). */
  sentBytes: Map<string, number>;
  close(): Promise<void>;
}

const TEXT = /^(text\/|application\/(json|javascript|xml|manifest\+json)|image\/svg)/;

/** A file the front server answers itself, at `url`. */
export interface StaticFile {
  url: string;
  type: string;
  body: Buffer | string | (() => Buffer);
}

export async function startFrontServer(files: StaticFile[], upstream: string | undefined): Promise<FrontServer> {
  const ownFiles = new Map(files.map((f) => [f.url, f]));
  const gzipped = new Map<string, Buffer>();
  const sentBytes = new Map<string, number>();

  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: Record<string, string>, body: Buffer, cacheKey?: string) => {
    const type = headers['content-type'] ?? '';
    const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    let out = body;
    if (accepts && TEXT.test(type) && body.length > 0 && !headers['content-encoding']) {
      out = (cacheKey && gzipped.get(cacheKey)) || gzipSync(body, { level: 6 });
      if (cacheKey) gzipped.set(cacheKey, out);
      headers['content-encoding'] = 'gzip';
      headers.vary = 'accept-encoding';
    }
    headers['content-length'] = String(out.length);
    sentBytes.set(new URL(req.url ?? '/', 'http://x').pathname, out.length);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : out);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const own = ownFiles.get(url.pathname);
    if (own) {
      const body = typeof own.body === 'function' ? own.body() : Buffer.from(own.body);
      send(req, res, 200, { 'content-type': own.type, 'cache-control': 'no-cache' }, body, own.url);
      return;
    }
    if (!upstream) {
      send(req, res, 404, { 'content-type': 'text/plain' }, Buffer.from('not found'));
      return;
    }
    // Everything else is the portal's, passed on as it answered, then compressed like the rest.
    const target = new URL(req.url ?? '/', upstream);
    const headers = { ...req.headers, host: target.host };
    delete headers['accept-encoding'];
    const forward = http.request(target, { method: req.method, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(answer.headers)) {
          if (v === undefined || ['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)) continue;
          out[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        // Static pages keep their bytes between runs: cache their gzip by path and length.
        const body = Buffer.concat(chunks);
        send(req, res, answer.statusCode ?? 502, out, body, req.method === 'GET' && answer.statusCode === 200 ? `${url.pathname}${url.search}:${body.length}` : undefined);
      });
    });
    forward.on('error', (err) => send(req, res, 502, { 'content-type': 'text/plain' }, Buffer.from(`the portal did not answer: ${err.message}`)));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    sentBytes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A file from disk for the front server, read once when first asked for. */
export function fileFromDisk(url: string, type: string, file: string): StaticFile {
  let cached: Buffer | undefined;
  return { url, type, body: () => (cached ??= readFileSync(file)) };
}
