/** Severity of a catalog diagnostic: errors fail builds and `portico catalog`, warnings do not. */
export type Severity = 'error' | 'warning' | 'info';

/** A path into a parsed document, as object keys and array indexes (a JSON Pointer, unescaped). */
export type DocPath = ReadonlyArray<string | number>;

/**
 * One problem found while reading the content repository.
 * `file` is relative to the content root, with forward slashes; `line` and `column` are 1-based.
 */
export interface Diagnostic {
  severity: Severity;
  /** Lint rule name, e.g. `resource`, `reference`, `openapi`, `legacy`, `yaml`. */
  rule: string;
  message: string;
  file: string;
  line: number;
  column: number;
  /** Where in the document the problem is, when it is about a value. */
  path?: DocPath;
  /** What a person can do about it. */
  hint?: string;
}

/** A schema violation before it is placed in a file: the validators return these. */
export interface SchemaIssue {
  path: DocPath;
  message: string;
  /** Defaults to `error`; a warning is for what Kubernetes would accept but silently change. */
  severity?: Severity;
}

/** Formats a document path the way Kubernetes and OpenAPI tools show it: `spec.apis[0].name`. */
export function formatDocPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * Drops the `yaml` parse errors that an `openapi` diagnostic repeats: a spec file that does not parse
 * is read by the content scan and again by the bundler, and one problem is counted once. The `openapi`
 * one is kept, because it is the reason its API is left out.
 */
export function dropRepeatedParseErrors(diagnostics: Diagnostic[]): void {
  // Parse errors and the parser's findings (a duplicate key) alike: same place, same words.
  const key = (d: Diagnostic) => `${d.file}:${d.line}:${d.column}:${d.message.replace(/^cannot parse( YAML| JSON)?: /, '')}`;
  const fromSpecs = new Set(diagnostics.filter((d) => d.rule === 'openapi').map(key));
  if (fromSpecs.size === 0) return;
  const kept = diagnostics.filter((d) => !(d.rule === 'yaml' && fromSpecs.has(key(d))));
  diagnostics.splice(0, diagnostics.length, ...kept);
}
