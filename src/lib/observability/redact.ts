/**
 * Keeps secrets out of logs. Everything a log line carries, its message and every field, passes
 * through here: values under a secret-sounding field name are dropped whole, and anything in text
 * that looks like a credential is replaced, whatever field it hides in. Over-redacting a harmless
 * word is acceptable; leaking a key is not.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are secrets whatever they look like (keyId and requestId are not among them). */
const SECRET_FIELD = /pass(word|phrase|wd)?$|^pwd$|secret|token|cookie|authorization|^api[-_]?key$|^key$|credential|^session$|^set-cookie$/i;

/** Is a value under this field name a secret? */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

const TEXT_RULES: Array<[RegExp, string]> = [
  // The values of a failed query: drizzle writes them into its error ("Failed query: ...\nparams: ...").
  // They run to the stack's first frame or the end of the text, since a value may hold a newline.
  [/(Failed query: [\s\S]*?\nparams: )[\s\S]*?(?=\n\s+at |$)/g, `$1${REDACTED}`],
  // PEM private keys and age identities.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/AGE-SECRET-KEY-1[0-9A-Z]+/g, REDACTED],
  // Credentials in a URL: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`],
  // Authorization and cookie headers, written out as text.
  [/\b((?:proxy-)?authorization|set-cookie|cookie)(\s*[:=]\s*)[^\n]*/gi, `$1$2${REDACTED}`],
  [/\b(bearer)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // API keys, <prefix>_<live|test>_..., also cut or mistyped ones (src/lib/keys/format.ts).
  [/[a-z]{2,10}_(?:live|test)_[0-9A-Za-z]{6,}/g, REDACTED],
  // Personal access tokens, pat_<id>.<secret>.
  [/pat_[A-Za-z0-9]+\.[A-Za-z0-9]+/g, REDACTED],
  // Session tokens and mail link tokens: <24 chars>.<24 chars> from the look-alike-free alphabet (src/lib/auth/tokens.ts).
  [/[a-km-np-z2-9]{24}\.[a-km-np-z2-9]{24}/g, REDACTED],
  // name=value pairs (query strings, cookies, form bodies) whose name says secret: token=, code=, portico_session=...
  [/\b([\w.-]*(?:token|secret|passw(?:or)?d|pwd|api[-_]?key|session|code|state|sig(?:nature)?)[\w.-]*)=[^&\s"';,]+/gi, `$1=${REDACTED}`],
  // "password: ..." and JSON-ish "token":"..." written into a message.
  [/\b(password|passwd|secret|token)("?\s*:\s*)("[^"]*"|[^\s,}]+)/gi, `$1$2${REDACTED}`],
];

/** Replaces everything in `text` that looks like a credential, and every one of `secrets` (exact values). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of `value` safe to log: secret fields dropped, strings redacted, Errors reduced to their
 * name, message and stack (also redacted), and anything deeper than a few levels cut off.
 */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (depth >= 6) return '[…]';
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactText(value.message, secrets) };
    if (value.stack) out.stack = redactText(value.stack, secrets);
    return out;
  }
  if (value instanceof Headers) return redactValue(Object.fromEntries(value), secrets, depth);
  if (value instanceof URL) return redactText(value.origin + value.pathname, secrets); // never the query or credentials
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, secrets, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretField(k) ? REDACTED : redactValue(v, secrets, depth + 1);
    return out;
  }
  return redactText(String(value), secrets);
}
