/**
 * A path template without its fragment, and the fragment's `name=value` pairs. AWS writes
 * `/#Action=DescribeRegions` to tell its operations apart: a fragment is never sent, so the request
 * goes to the path, and the pairs belong in the query.
 */
export function withoutFragment(path: string): { path: string; query: Array<[string, string]> } {
  const hash = path.indexOf('#');
  if (hash === -1) return { path, query: [] };
  const query: Array<[string, string]> = [];
  for (const part of path.slice(hash + 1).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) query.push([safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))]);
  }
  return { path: path.slice(0, hash), query };
}

/** The URL a sample sends: server, path without fragment, then the query (the fragment's pairs the query lacks join it). */
export function requestUrl(base: string, path: string, query: Array<[string, string]>): string {
  const split = withoutFragment(path);
  const pairs = [...query, ...split.query.filter(([name]) => !query.some(([n]) => n === name))];
  const qs = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeQueryValue(v)}`).join('&');
  return `${base.replace(/\/+$/, '')}${split.path}${qs ? `?${qs}` : ''}`;
}

/** Percent-encodes a query value, but keeps `$NAME` placeholders readable for the shell and for samples. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%24([A-Z_]+)/g, '$$$1');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
