import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { ENV_PASSWORD, ENV_USER, onlyEnv, pieces } from './text.ts';

const RUBY_CLASSES: Record<string, string> = { GET: 'Get', POST: 'Post', PUT: 'Put', PATCH: 'Patch', DELETE: 'Delete', HEAD: 'Head', OPTIONS: 'Options', TRACE: 'Trace' };

/** The request with Ruby Net::HTTP. */
export function ruby(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `ENV['${onlyEnv(s)}']`
      : `"${pieces(s)
          .map((p) =>
            'env' in p
              ? `#{ENV['${p.env}']}`
              : JSON.stringify(p.text)
                  .slice(1, -1)
                  .replace(/#(?=[{$@])/g, '\\#'),
          )
          .join('')}"`;
  const cls = RUBY_CLASSES[req.method];
  const lines = [
    "require 'net/http'",
    '',
    `uri = URI(${str(req.url)})`,
    cls ? `request = Net::HTTP::${cls}.new(uri)` : `request = Net::HTTPGenericRequest.new(${JSON.stringify(req.method)}, true, true, uri)`,
  ];
  for (const [k, v] of req.headers) lines.push(`request[${JSON.stringify(k)}] = ${str(v)}`);
  if (req.credential?.where === 'basic') lines.push(`request.basic_auth(ENV['${ENV_USER}'], ENV['${ENV_PASSWORD}'])`);
  if (body?.kind === 'json' || body?.kind === 'text' || body?.kind === 'file') lines.push(`request["Content-Type"] = ${JSON.stringify(body.mediaType)}`);
  if (body?.kind === 'json' || body?.kind === 'text') {
    lines.push(
      body.text.includes('\n')
        ? `request.body = <<~'BODY'\n${body.text
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}\nBODY`
        : `request.body = ${str(body.text)}`,
    );
  }
  if (body?.kind === 'file') lines.push(`request.body = File.binread(${JSON.stringify(body.file)})`);
  if (body?.kind === 'form') lines.push(`request.set_form_data(\n${body.fields.map(([k, v]) => `  ${JSON.stringify(k)} => ${JSON.stringify(v)},`).join('\n')}\n)`);
  if (body?.kind === 'multipart') {
    const parts = [...body.fields.map(([k, v]) => `  [${JSON.stringify(k)}, ${JSON.stringify(v)}],`), ...body.files.map(([k, f]) => `  [${JSON.stringify(k)}, File.open(${JSON.stringify(f)})],`)];
    lines.push(`request.set_form([\n${parts.join('\n')}\n], 'multipart/form-data')`);
  }
  lines.push("response = Net::HTTP.start(uri.hostname, uri.port, use_ssl: uri.scheme == 'https') { |http| http.request(request) }", 'puts response.code, response.body');
  return lines.join('\n');
}
