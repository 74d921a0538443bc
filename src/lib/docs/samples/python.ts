import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { ENV_PASSWORD, ENV_USER, hasEnv, onlyEnv, pieces } from './text.ts';

/** The request with Python requests. */
export function python(req: SampleRequest, body: BodyKind | undefined): string {
  const str = (s: string) =>
    onlyEnv(s)
      ? `os.environ['${onlyEnv(s)}']`
      : hasEnv(s)
        ? `f${JSON.stringify(
            pieces(s)
              .map((p) => ('env' in p ? `\u0000${p.env}\u0001` : p.text.replace(/[{}]/g, '$&$&')))
              .join(''),
          ).replace(/\\u0000([A-Z0-9_]+)\\u0001/g, "{os.environ['$1']}")}`
        : JSON.stringify(s);
  const needsOs = hasEnv(req.url) || req.headers.some(([, v]) => hasEnv(v)) || req.credential?.where === 'basic';
  const headers: Array<[string, string]> = req.headers.map(([k, v]) => [k, str(v)]);
  if (body && (body.kind === 'json' || body.kind === 'text' || body.kind === 'file')) headers.push(['Content-Type', JSON.stringify(body.mediaType)]);
  const pre: string[] = [];
  const args: string[] = [];
  if (headers.length) args.push(`headers={${headers.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}},`);
  if (req.credential?.where === 'basic') args.push(`auth=(os.environ['${ENV_USER}'], os.environ['${ENV_PASSWORD}']),`);
  if (body?.kind === 'json') args.push(`json=${toPython(body.value, 1)},`);
  if (body?.kind === 'text') args.push(`data=${JSON.stringify(body.text)},`);
  if (body?.kind === 'file') {
    pre.push(`with open(${JSON.stringify(body.file)}, "rb") as f:`, '    content = f.read()', '');
    args.push('data=content,');
  }
  if (body?.kind === 'form' || (body?.kind === 'multipart' && body.fields.length)) args.push(`data=${pyDict(body.fields)},`);
  if (body?.kind === 'multipart') args.push(`files={${body.files.map(([k, f]) => `${JSON.stringify(k)}: open(${JSON.stringify(f)}, "rb")`).join(', ')}},`);
  return [
    ...(needsOs ? ['import os', ''] : []),
    'import requests',
    '',
    ...pre,
    'response = requests.request(',
    `    ${JSON.stringify(req.method)},`,
    `    ${str(req.url)},`,
    ...args.map((a) => `    ${a}`),
    ')',
    'print(response.status_code, response.text)',
  ].join('\n');
}

function pyDict(fields: Array<[string, string]>): string {
  return fields.length === 0 ? '{}' : `{\n${fields.map(([k, v]) => `        ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join('\n')}\n    }`;
}

/** A JSON value as a Python literal (True/False/None), indented like the surrounding call. */
function toPython(value: unknown, level: number): string {
  const pad = '    '.repeat(level + 1);
  const end = '    '.repeat(level);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((v) => `${pad}${toPython(v, level + 1)}`).join(',\n')},\n${end}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${toPython(v, level + 1)}`).join(',\n')},\n${end}}`;
  }
  return JSON.stringify(value);
}
