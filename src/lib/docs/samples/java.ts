import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { concat, ENV_PASSWORD, ENV_USER } from './text.ts';

/** The request with Java HttpClient. */
export function java(req: SampleRequest, body: BodyKind | undefined): string {
  const imports = new Set(['java.net.URI', 'java.net.http.HttpClient', 'java.net.http.HttpRequest', 'java.net.http.HttpResponse']);
  const str = (s: string) => concat(s, (n) => `System.getenv(${JSON.stringify(n)})`);
  const pre: string[] = [];
  const builder: string[] = [];
  for (const [k, v] of req.headers) builder.push(`.header(${JSON.stringify(k)}, ${str(v)})`);
  if (req.credential?.where === 'basic') {
    imports.add('java.util.Base64');
    builder.push(`.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((System.getenv("${ENV_USER}") + ":" + System.getenv("${ENV_PASSWORD}")).getBytes()))`);
  }
  let publisher = 'HttpRequest.BodyPublishers.noBody()';
  if (body?.kind === 'json' || body?.kind === 'text') {
    builder.push(`.header("Content-Type", ${JSON.stringify(body.mediaType)})`);
    publisher = body.text.includes('\n')
      ? `HttpRequest.BodyPublishers.ofString("""\n${body.text
          .replace(/\\/g, '\\\\')
          .replace(/"""/g, '\\"""')
          .split('\n')
          .map((l) => `                ${l}`)
          .join('\n')}""")`
      : `HttpRequest.BodyPublishers.ofString(${JSON.stringify(body.text)})`;
  }
  if (body?.kind === 'file') {
    imports.add('java.nio.file.Path');
    builder.push(`.header("Content-Type", ${JSON.stringify(body.mediaType)})`);
    publisher = `HttpRequest.BodyPublishers.ofFile(Path.of(${JSON.stringify(body.file)}))`;
  }
  if (body?.kind === 'form') {
    // Encoded here, when the page is built: the values are the example's, so the string is final.
    builder.push('.header("Content-Type", "application/x-www-form-urlencoded")');
    publisher = `HttpRequest.BodyPublishers.ofString(${JSON.stringify(new URLSearchParams(body.fields).toString())})`;
  }
  if (body?.kind === 'multipart') {
    imports.add('java.io.ByteArrayOutputStream').add('java.util.UUID');
    if (body.files.length) imports.add('java.nio.file.Files').add('java.nio.file.Path');
    pre.push('        String boundary = "portico-" + UUID.randomUUID();', '        var body = new ByteArrayOutputStream();');
    for (const [k, v] of body.fields)
      pre.push(`        body.write(("--" + boundary + "\\r\\nContent-Disposition: form-data; name=${javaEsc(JSON.stringify(k))}\\r\\n\\r\\n${JSON.stringify(v).slice(1, -1)}\\r\\n").getBytes());`);
    for (const [k, f] of body.files) {
      pre.push(
        `        body.write(("--" + boundary + "\\r\\nContent-Disposition: form-data; name=${javaEsc(JSON.stringify(k))}; filename=${javaEsc(JSON.stringify(f))}\\r\\nContent-Type: application/octet-stream\\r\\n\\r\\n").getBytes());`,
      );
      pre.push(`        body.write(Files.readAllBytes(Path.of(${JSON.stringify(f)})));`, '        body.write("\\r\\n".getBytes());');
    }
    pre.push('        body.write(("--" + boundary + "--\\r\\n").getBytes());', '');
    builder.push('.header("Content-Type", "multipart/form-data; boundary=" + boundary)');
    publisher = 'HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())';
  }
  builder.push(`.method(${JSON.stringify(req.method)}, ${publisher})`, '.build();');
  return [
    ...[...imports].sort().map((i) => `import ${i};`),
    '',
    'public class Example {',
    '    public static void main(String[] args) throws Exception {',
    ...pre,
    `        HttpRequest request = HttpRequest.newBuilder(URI.create(${str(req.url)}))`,
    ...builder.map((b) => `            ${b}`),
    '        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());',
    '        System.out.println(response.statusCode() + " " + response.body());',
    '    }',
    '}',
  ].join('\n');
}

/** A quoted name inside a Java string literal: its quotes escaped again. */
const javaEsc = (quoted: string) => quoted.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
