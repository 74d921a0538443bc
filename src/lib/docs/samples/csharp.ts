import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { concat, ENV_PASSWORD, ENV_USER } from './text.ts';

/** The request with C# HttpClient. */
export function csharp(req: SampleRequest, body: BodyKind | undefined): string {
  const usings = new Set<string>();
  const str = (s: string) => concat(s, (n) => `Environment.GetEnvironmentVariable(${JSON.stringify(n)})`);
  const lines = ['using var client = new HttpClient();', `var request = new HttpRequestMessage(new HttpMethod(${JSON.stringify(req.method)}), ${str(req.url)});`];
  for (const [k, v] of req.headers) lines.push(`request.Headers.TryAddWithoutValidation(${JSON.stringify(k)}, ${str(v)});`);
  if (req.credential?.where === 'basic') {
    usings.add('System.Net.Http.Headers').add('System.Text');
    lines.push(
      `request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable("${ENV_USER}") + ":" + Environment.GetEnvironmentVariable("${ENV_PASSWORD}"))));`,
    );
  }
  if (body?.kind === 'json' || body?.kind === 'text') {
    usings.add('System.Text');
    const literal = body.text.includes('\n')
      ? `"""\n${body.text
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n    """`
      : JSON.stringify(body.text);
    lines.push(`request.Content = new StringContent(${literal}, Encoding.UTF8, ${JSON.stringify(body.mediaType)});`);
  }
  if (body?.kind === 'file') {
    usings.add('System.Net.Http.Headers');
    lines.push(
      `request.Content = new StreamContent(File.OpenRead(${JSON.stringify(body.file)}));`,
      `request.Content.Headers.ContentType = new MediaTypeHeaderValue(${JSON.stringify(body.mediaType)});`,
    );
  }
  if (body?.kind === 'form') {
    lines.push(`request.Content = new FormUrlEncodedContent(new Dictionary<string, string>\n{\n${body.fields.map(([k, v]) => `    [${JSON.stringify(k)}] = ${JSON.stringify(v)},`).join('\n')}\n});`);
  }
  if (body?.kind === 'multipart') {
    lines.push('var form = new MultipartFormDataContent();');
    for (const [k, v] of body.fields) lines.push(`form.Add(new StringContent(${JSON.stringify(v)}), ${JSON.stringify(k)});`);
    for (const [k, f] of body.files) lines.push(`form.Add(new StreamContent(File.OpenRead(${JSON.stringify(f)})), ${JSON.stringify(k)}, ${JSON.stringify(f)});`);
    lines.push('request.Content = form;');
  }
  lines.push('var response = await client.SendAsync(request);', 'Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");');
  return [...[...usings].sort().map((u) => `using ${u};`), ...(usings.size ? [''] : []), ...lines].join('\n');
}
