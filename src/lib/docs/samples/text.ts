/** What every language's sample shares: environment variables for credentials, and shell quoting. */

/** A string cut into literal text and `$NAME` environment variables (credentials are never literals). */
export type Piece = { text: string } | { env: string };
export function pieces(s: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of s.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)) {
    if (m.index > last) out.push({ text: s.slice(last, m.index) });
    out.push({ env: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < s.length || out.length === 0) out.push({ text: s.slice(last) });
  return out;
}
export const hasEnv = (s: string) => pieces(s).some((p) => 'env' in p);
/** The variable's name when the whole string is one `$NAME`: samples then read it without a template. */
export const onlyEnv = (s: string) => /^\$([A-Z_][A-Z0-9_]*)$/.exec(s)?.[1];

/** A string expression in a language whose literal is JSON-compatible, with environment reads joined by `join`. */
export function concat(s: string, read: (name: string) => string, quote: (t: string) => string = JSON.stringify, join = ' + '): string {
  return pieces(s)
    .map((p) => ('env' in p ? read(p.env) : quote(p.text)))
    .join(join);
}

export const ENV_USER = 'API_USER';
export const ENV_PASSWORD = 'API_PASSWORD';

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A shell word: single-quoted, or double-quoted when it reads `$NAME` (with the rest escaped). */
export const shellWord = (s: string) =>
  hasEnv(s)
    ? `"${pieces(s)
        .map((p) => ('env' in p ? `$${p.env}` : p.text.replace(/[\\"`$]/g, '\\$&')))
        .join('')}"`
    : shellQuote(s);
