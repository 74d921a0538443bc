import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { concat, ENV_PASSWORD, ENV_USER } from './text.ts';

/** The request with PHP curl. */
export function php(req: SampleRequest, body: BodyKind | undefined): string {
  const q = (s: string) => `'${s.replace(/[\\']/g, '\\$&')}'`;
  const str = (s: string) => concat(s, (n) => `getenv('${n}')`, q, ' . ');
  const headers = req.headers.map(([k, v]) => str(`${k}: ${v}`));
  const options: string[] = [`CURLOPT_CUSTOMREQUEST => ${q(req.method)},`];
  if (body?.kind === 'json' || body?.kind === 'text' || body?.kind === 'file') headers.push(q(`Content-Type: ${body.mediaType}`));
  if (headers.length) options.push(`CURLOPT_HTTPHEADER => [\n${headers.map((h) => `        ${h},`).join('\n')}\n    ],`);
  if (req.credential?.where === 'basic') options.push(`CURLOPT_USERPWD => getenv('${ENV_USER}') . ':' . getenv('${ENV_PASSWORD}'),`);
  if (body?.kind === 'json' || body?.kind === 'text') {
    const tag = body.kind === 'json' ? 'JSON' : 'BODY';
    options.push(
      body.text.includes('\n')
        ? `CURLOPT_POSTFIELDS => <<<'${tag}'\n${body.text
            .split('\n')
            .map((l) => `    ${l}`)
            .join('\n')}\n    ${tag},`
        : `CURLOPT_POSTFIELDS => ${q(body.text)},`,
    );
  }
  if (body?.kind === 'file') options.push(`CURLOPT_POSTFIELDS => file_get_contents(${q(body.file)}),`);
  if (body?.kind === 'form') options.push(`CURLOPT_POSTFIELDS => http_build_query([\n${body.fields.map(([k, v]) => `        ${q(k)} => ${q(v)},`).join('\n')}\n    ]),`);
  if (body?.kind === 'multipart') {
    // An array, not a string: PHP's curl then sends multipart/form-data with its boundary.
    options.push(
      `CURLOPT_POSTFIELDS => [\n${[...body.fields.map(([k, v]) => `        ${q(k)} => ${q(v)},`), ...body.files.map(([k, f]) => `        ${q(k)} => new CURLFile(${q(f)}),`)].join('\n')}\n    ],`,
    );
  }
  options.push('CURLOPT_RETURNTRANSFER => true,');
  return [
    '<?php',
    `$ch = curl_init(${str(req.url)});`,
    'curl_setopt_array($ch, [',
    ...options.map((o) => `    ${o}`),
    ']);',
    '$response = curl_exec($ch);',
    "echo curl_getinfo($ch, CURLINFO_HTTP_CODE), ' ', $response, PHP_EOL;",
  ].join('\n');
}
