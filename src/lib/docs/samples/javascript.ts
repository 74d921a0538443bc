import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { ENV_PASSWORD, ENV_USER, hasEnv, onlyEnv, pieces } from './text.ts';

/** The request with fetch, as a Node module (credentials from process.env). */
export function javascript(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `process.env.${onlyEnv(s)}`
      : hasEnv(s)
        ? `\`${pieces(s)
            .map((p) => ('env' in p ? `\${process.env.${p.env}}` : p.text.replace(/[\\`$]/g, '\\$&')))
            .join('')}\``
        : JSON.stringify(s);
  const headers = req.headers.map(([k, v]) => `    ${JSON.stringify(k)}: ${str(v)},`);
  if (req.credential?.where === 'basic') headers.push(`    Authorization: \`Basic \${btoa(\`\${process.env.${ENV_USER}}:\${process.env.${ENV_PASSWORD}}\`)}\`,`);
  if (body && body.kind !== 'form' && body.kind !== 'multipart') headers.push(`    "Content-Type": ${JSON.stringify(body.mediaType)},`);
  const pre: string[] = [];
  let bodyLine: string | undefined;
  if (body?.kind === 'json') bodyLine = `  body: JSON.stringify(${body.text.replace(/\n/g, '\n  ')}),`;
  if (body?.kind === 'text') bodyLine = `  body: ${JSON.stringify(body.text)},`;
  if (body?.kind === 'file') {
    pre.push('import { openAsBlob } from "node:fs";', '');
    bodyLine = `  body: await openAsBlob(${JSON.stringify(body.file)}),`;
  }
  if (body?.kind === 'form') bodyLine = `  body: new URLSearchParams(${jsObject(body.fields, '  ')}),`;
  if (body?.kind === 'multipart') {
    if (body.files.length) pre.push('import { openAsBlob } from "node:fs";', '');
    pre.push('const form = new FormData();');
    for (const [k, v] of body.fields) pre.push(`form.append(${JSON.stringify(k)}, ${JSON.stringify(v)});`);
    for (const [k, f] of body.files) pre.push(`form.append(${JSON.stringify(k)}, await openAsBlob(${JSON.stringify(f)}), ${JSON.stringify(f)});`);
    pre.push('');
    bodyLine = '  body: form, // fetch sets the multipart Content-Type with its boundary';
  }
  return [
    ...pre,
    `const response = await fetch(${str(req.url)}, {`,
    `  method: ${JSON.stringify(req.method)},`,
    ...(headers.length ? ['  headers: {', ...headers, '  },'] : []),
    ...(bodyLine ? [bodyLine] : []),
    '});',
    'console.log(response.status, await response.text());',
  ].join('\n');
}

function jsObject(fields: Array<[string, string]>, indent: string): string {
  if (fields.length === 0) return '{}';
  return `{\n${fields.map(([k, v]) => `${indent}  ${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')}\n${indent}}`;
}
