import type { BodyKind, SampleRequest } from '../code-samples.ts';
import { ENV_PASSWORD, ENV_USER, shellQuote, shellWord } from './text.ts';

/** The request as a curl command. */
export function curl(req: SampleRequest, body: BodyKind | undefined): string {
  const lines = [`curl -X ${req.method} ${shellWord(req.url)}`];
  for (const [k, v] of req.headers) lines.push(`  -H ${shellWord(`${k}: ${v}`)}`);
  if (req.credential?.where === 'basic') lines.push(`  -u "$${ENV_USER}:$${ENV_PASSWORD}"`);
  if (body?.kind === 'json' || body?.kind === 'text') lines.push(`  -H ${shellQuote(`Content-Type: ${body.mediaType}`)}`, `  --data ${shellQuote(body.text)}`);
  if (body?.kind === 'file') lines.push(`  -H ${shellQuote(`Content-Type: ${body.mediaType}`)}`, `  --data-binary @${body.file}`);
  if (body?.kind === 'form') for (const [k, v] of body.fields) lines.push(`  --data-urlencode ${shellQuote(`${k}=${v}`)}`);
  if (body?.kind === 'multipart') {
    for (const [k, v] of body.fields) lines.push(`  --form-string ${shellQuote(`${k}=${v}`)}`);
    for (const [k, f] of body.files) lines.push(`  -F ${shellQuote(`${k}=@${f}`)}`);
  }
  return lines.join(' \\\n');
}
