import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { concat, ENV_PASSWORD, ENV_USER, hasEnv } from './text.ts';

/** The request with Go net/http. */
export function go(req: SampleRequest, body: BodyKind | undefined): string {
  const imports = new Set(['fmt', 'io', 'net/http']);
  const str = (s: string) => {
    if (hasEnv(s)) imports.add('os');
    return concat(s, (n) => `os.Getenv(${JSON.stringify(n)})`);
  };
  const lines: string[] = [];
  let bodyArg = 'nil';
  const contentType: string[] = [];
  if (body?.kind === 'json' || body?.kind === 'text') {
    imports.add('strings');
    lines.push(`\tbody := strings.NewReader(${body.text.includes('`') ? JSON.stringify(body.text) : `\`${body.text}\``})`);
    bodyArg = 'body';
    contentType.push(`\treq.Header.Set("Content-Type", ${JSON.stringify(body.mediaType)})`);
  }
  if (body?.kind === 'file') {
    imports.add('os');
    lines.push(`\tbody, err := os.Open(${JSON.stringify(body.file)})`, ...goCheck('\t'), '\tdefer body.Close()');
    bodyArg = 'body';
    contentType.push(`\treq.Header.Set("Content-Type", ${JSON.stringify(body.mediaType)})`);
  }
  if (body?.kind === 'form') {
    imports.add('net/url').add('strings');
    lines.push('\tform := url.Values{}');
    for (const [k, v] of body.fields) lines.push(`\tform.Add(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
    lines.push('\tbody := strings.NewReader(form.Encode())');
    bodyArg = 'body';
    contentType.push('\treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")');
  }
  if (body?.kind === 'multipart') {
    imports.add('bytes').add('mime/multipart');
    lines.push('\tvar body bytes.Buffer', '\tform := multipart.NewWriter(&body)');
    for (const [k, v] of body.fields) lines.push(`\tform.WriteField(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
    for (const [k, f] of body.files) {
      imports.add('os');
      const v = goIdent(k);
      lines.push(
        `\t${v}Data, err := os.Open(${JSON.stringify(f)})`,
        ...goCheck('\t'),
        `\tdefer ${v}Data.Close()`,
        `\t${v}Part, err := form.CreateFormFile(${JSON.stringify(k)}, ${JSON.stringify(f)})`,
        ...goCheck('\t'),
        `\tio.Copy(${v}Part, ${v}Data)`,
      );
    }
    lines.push('\tform.Close()');
    bodyArg = '&body';
    contentType.push('\treq.Header.Set("Content-Type", form.FormDataContentType())');
  }
  lines.push(`\treq, err := http.NewRequest(${JSON.stringify(req.method)}, ${str(req.url)}, ${bodyArg})`, ...goCheck('\t'));
  lines.push(...contentType);
  for (const [k, v] of req.headers) lines.push(`\treq.Header.Set(${JSON.stringify(k)}, ${str(v)})`);
  if (req.credential?.where === 'basic') {
    imports.add('os');
    lines.push(`\treq.SetBasicAuth(os.Getenv("${ENV_USER}"), os.Getenv("${ENV_PASSWORD}"))`);
  }
  lines.push('\tres, err := http.DefaultClient.Do(req)', ...goCheck('\t'), '\tdefer res.Body.Close()', '\tout, _ := io.ReadAll(res.Body)', '\tfmt.Println(res.StatusCode, string(out))');
  return ['package main', '', 'import (', ...[...imports].sort().map((i) => `\t"${i}"`), ')', '', 'func main() {', ...lines, '}'].join('\n');
}

const goCheck = (indent: string) => [`${indent}if err != nil {`, `${indent}\tpanic(err)`, `${indent}}`];
const goIdent = (name: string) => {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const id = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return /^[A-Za-z]/.test(id) ? id : `part${id}`;
};
