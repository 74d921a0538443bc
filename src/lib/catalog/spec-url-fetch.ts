import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { specUrlSettings, type SpecUrlSettings } from '../config.ts';
import { AddressRefusedError, guardedConnection } from '../http/address-policy.ts';

/*
 * Fetching `openApiSpec.url` happens wherever the catalog is built: in CI, on a build machine, in
 * the portal's own pod. Whoever can edit the content repository chooses the URL, so without limits
 * it is a server-side request forgery into that network (issue 14). The same address policy as the
 * try-it relay applies, with its own allow-list, and the answer is read only up to a size cap.
 */

const MAX_REDIRECTS = 5;

/** A refusal or failure, in words that finish "cannot fetch <url>: ...". */
export class SpecFetchError extends Error {
  constructor(message: string, name = 'SpecFetchError') {
    super(message);
    this.name = name;
  }
}

/**
 * Fetches the text of an `openApiSpec.url`: public addresses only unless PORTICO_SPEC_URL_ALLOW
 * names the host, checked on the address connected to (every redirect too); at most
 * PORTICO_SPEC_URL_MAX_BYTES, counted after decompression; within `timeoutMs` in all. Throws a
 * SpecFetchError that says why not (named TimeoutError when the time ran out).
 */
export async function fetchSpecText(url: string, options: { timeoutMs: number; settings?: SpecUrlSettings }): Promise<string> {
  const settings = options.settings ?? specUrlSettings();
  const deadline = Date.now() + options.timeoutMs;
  let current = parseHttpUrl(url);
  for (let hop = 0; ; hop++) {
    const answer = await getOnce(current, settings, deadline, options.timeoutMs, hop > 0);
    if (answer.kind === 'text') return answer.text;
    if (hop >= MAX_REDIRECTS) throw new SpecFetchError(`the server redirected more than ${MAX_REDIRECTS} times`);
    current = parseHttpUrl(new URL(answer.location, current).href, true);
  }
}

function parseHttpUrl(value: string, redirected = false): URL {
  const url = URL.parse(value);
  if (!url) throw new SpecFetchError(redirected ? `the server redirected to ${value}, which is not a URL` : 'it is not a URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SpecFetchError(`${redirected ? `the server redirected to ${url.href}: ` : ''}only http and https URLs are fetched, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw new SpecFetchError('the URL may not carry a user name or password; put the spec where it can be read without them, or in the repository');
  return url;
}

/** Says what was refused and the setting that allows it. */
function refusal(err: AddressRefusedError, url: URL, redirected: boolean): SpecFetchError {
  const where = redirected ? `the server redirected to ${url.href}, and ${err.host}` : err.host;
  return new SpecFetchError(
    `${where} resolves to ${err.address}, ${err.words}; Portico fetches specs only from public addresses, so it did not connect. If this server is meant to be trusted, set PORTICO_SPEC_URL_ALLOW=${err.host}:${err.port}`,
  );
}

function getOnce(url: URL, settings: SpecUrlSettings, deadline: number, timeoutMs: number, redirected: boolean): Promise<{ kind: 'text'; text: string } | { kind: 'redirect'; location: string }> {
  let lookup;
  try {
    ({ lookup } = guardedConnection(url, settings.allow));
  } catch (err) {
    if (err instanceof AddressRefusedError) return Promise.reject(refusal(err, url, redirected));
    throw err;
  }
  const remaining = Math.max(1, deadline - Date.now());
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new SpecFetchError(`no answer within ${timeoutMs / 1000} s`, 'TimeoutError')), remaining);
    const req = client.request(
      url,
      {
        method: 'GET',
        agent: false,
        lookup,
        headers: { accept: 'application/yaml, application/json;q=0.9, text/yaml;q=0.9, */*;q=0.5', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'portico' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          settled = true;
          clearTimeout(timer);
          resolve({ kind: 'redirect', location: res.headers.location });
          return;
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return fail(new SpecFetchError(`the server answered ${status} ${res.statusMessage ?? ''}`.trim()));
        }
        const declared = Number(res.headers['content-length']);
        const tooLarge = () => new SpecFetchError(`the document is larger than ${formatBytes(settings.maxBytes)}, the most Portico reads; raise PORTICO_SPEC_URL_MAX_BYTES to fetch it`);
        if (!res.headers['content-encoding'] && Number.isFinite(declared) && declared > settings.maxBytes) {
          res.resume();
          return fail(tooLarge());
        }
        let body: Readable;
        try {
          body = decoded(res);
        } catch (err) {
          res.resume();
          return fail(err as Error);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        body.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Counted after decompression: a small compressed answer may not unpack into gigabytes.
          if (size > settings.maxBytes) {
            body.destroy();
            return fail(tooLarge());
          }
          chunks.push(chunk);
        });
        body.on('error', (err) => fail(new SpecFetchError(`the answer could not be read (${(err as NodeJS.ErrnoException).code ?? err.message})`)));
        body.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ kind: 'text', text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof AddressRefusedError) return fail(refusal(err, url, redirected));
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return fail(new SpecFetchError('the host name does not resolve'));
      if (err.code === 'ECONNREFUSED') return fail(new SpecFetchError('the connection was refused'));
      fail(new SpecFetchError(err.code ? `the server could not be reached (${err.code})` : err.message));
    });
    req.end();
  });
}

/** The body, unpacked as its Content-Encoding says. */
function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return res;
  if (encoding === 'gzip' || encoding === 'x-gzip') return res.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return res.pipe(zlib.createInflate());
  if (encoding === 'br') return res.pipe(zlib.createBrotliDecompress());
  throw new SpecFetchError(`the server answered with content encoding ${encoding}, which Portico cannot read`);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
