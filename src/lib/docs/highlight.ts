import { createHighlighter, createJavaScriptRegexEngine, type HighlighterGeneric } from 'shiki';

/**
 * Build-time highlighting of code samples with Shiki (docs/decisions/0014-code-samples.md). Tokens
 * carry one-letter classes, not inline colours: eight samples per operation would otherwise repeat
 * `style="color:…;--shiki-dark:…"` on every token, and the light and dark colours live in
 * src/styles/operation.css as CSS variables, so the theme switch keeps working without a second pass.
 */

/** Token classes, each a sentinel colour of the theme below: `k` keyword, `s` string, `n` number/constant, `c` comment, `f` function, `t` type, `p` property/parameter. */
const CLASSES: Record<string, string> = { '#000001': 'k', '#000002': 's', '#000003': 'n', '#000004': 'c', '#000005': 'f', '#000006': 't', '#000007': 'p' };

const THEME = {
  name: 'portico-classes',
  type: 'light' as const,
  fg: '#000000',
  bg: '#ffffff',
  settings: [
    {
      scope: ['keyword', 'storage', 'storage.type', 'storage.modifier', 'keyword.operator.new', 'keyword.operator.expression', 'keyword.control', 'punctuation.section.embedded'],
      settings: { foreground: '#000001' },
    },
    { scope: ['string', 'string.quoted', 'string.template', 'string.unquoted.heredoc', 'string.unquoted.nowdoc', 'string.interpolated'], settings: { foreground: '#000002' } },
    { scope: ['constant.numeric', 'constant.language', 'constant.character', 'constant.other', 'support.constant', 'variable.other.constant'], settings: { foreground: '#000003' } },
    { scope: ['comment', 'punctuation.definition.comment'], settings: { foreground: '#000004' } },
    { scope: ['entity.name.function', 'support.function', 'meta.function-call entity.name.function'], settings: { foreground: '#000005' } },
    {
      scope: ['entity.name.type', 'entity.name.class', 'support.class', 'support.type', 'entity.name.namespace', 'entity.name.package', 'storage.type.java', 'storage.type.cs'],
      settings: { foreground: '#000006' },
    },
    {
      scope: [
        'variable.parameter',
        'support.type.property-name',
        'meta.object-literal.key',
        'variable.other.property',
        'variable.other.object.property',
        'entity.name.tag',
        'variable.other.readwrite.instance',
        'variable.other.env',
      ],
      settings: { foreground: '#000007' },
    },
  ],
};

const GRAMMARS = ['shellscript', 'javascript', 'python', 'go', 'java', 'csharp', 'php', 'ruby', 'json'];

let highlighter: Promise<HighlighterGeneric<string, string>> | undefined;

/** One highlighter for the process: loading the grammars is the slow part, and they never change. */
function getHighlighter(): Promise<HighlighterGeneric<string, string>> {
  highlighter ??= createHighlighter({ themes: [THEME], langs: GRAMMARS, engine: createJavaScriptRegexEngine() }) as Promise<HighlighterGeneric<string, string>>;
  return highlighter;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Tokens = Array<Array<{ content: string; color?: string }>>;

/** Highlighted shapes of code, by grammar and masked text: the GitHub API's 1,200 operations have a few dozen shapes. */
const shapes = new Map<string, Tokens>();
const MAX_SHAPES = 5_000;

/** A sentinel made of letters only, so it reads as plain text inside any string literal of any grammar. */
const sentinel = (i: number) => {
  let letters = '';
  do {
    letters = String.fromCharCode(97 + (i % 26)) + letters;
    i = Math.floor(i / 26);
  } while (i > 0);
  return `Qzx${letters}xzQ`;
};

/**
 * `code` as HTML for the inside of a `<code>`: escaped text with `<span class="k">` around coloured
 * tokens. `literals` (a URL, body lines) are masked before highlighting, so operations that differ
 * only inside string literals share one highlighting pass; a mask that does not land wholly inside
 * a string token is undone and the code highlighted as written. An unknown grammar gives plain text.
 */
export async function highlightCode(code: string, grammar: string, literals: string[] = []): Promise<string> {
  if (!GRAMMARS.includes(grammar)) return escapeHtml(code);
  const usable = [...new Set(literals)].filter((l) => l.length >= 3 && !/Qzx|xzQ/.test(l)).sort((a, b) => b.length - a.length);
  // Quoted strings and whole lines first (a JSON body inside a heredoc); then quoted strings only
  // (a body written as code, where a whole line is not a string); then the code as written.
  for (const lines of usable.length > 0 ? [true, false] : []) {
    const { masked, masks } = mask(code, usable, lines);
    if (masks.length === 0) continue;
    const tokens = await tokensOf(masked, grammar);
    if (masksHold(tokens, masks)) return tokensToHtml(tokens, masks);
  }
  return tokensToHtml(await tokensOf(code, grammar), []);
}

/** Replaces each literal where it is a whole quoted string (and, with `lines`, a whole line) by a sentinel. */
function mask(code: string, literals: string[], lines: boolean): { masked: string; masks: Array<[string, string]> } {
  const masks: Array<[string, string]> = [];
  let masked = code;
  for (const literal of literals) {
    const mark = sentinel(masks.length);
    let next = masked.split(`"${literal}"`).join(`"${mark}"`).split(`'${literal}'`).join(`'${mark}'`);
    if (lines) next = next.replace(new RegExp(`^([ \\t]*)${literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'gm'), (_, indent: string) => `${indent}${mark}`);
    if (next === masked) continue;
    masked = next;
    masks.push([mark, literal]);
  }
  return { masked, masks };
}

async function tokensOf(code: string, grammar: string): Promise<Tokens> {
  const key = `${grammar}\u0000${code}`;
  let tokens = shapes.get(key);
  if (!tokens) {
    tokens = (await getHighlighter()).codeToTokensBase(code, { lang: grammar, theme: THEME.name });
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, tokens);
  }
  return tokens;
}

/** Every sentinel sits inside string (or quoted key) tokens, whole: then the literal it stands for is one too. */
function masksHold(tokens: Tokens, masks: Array<[string, string]>): boolean {
  for (const line of tokens) {
    for (const token of line) {
      if (!token.content.includes('Qzx') && !token.content.includes('xzQ')) continue;
      const cls = CLASSES[token.color?.toLowerCase() ?? ''];
      if (cls !== 's' && cls !== 'p') return false;
      const stripped = masks.reduce((text, [mark]) => text.split(mark).join(''), token.content);
      if (stripped.includes('Qzx') || stripped.includes('xzQ')) return false;
    }
  }
  return true;
}

function tokensToHtml(tokens: Tokens, masks: Array<[string, string]>): string {
  const text = (content: string) => escapeHtml(masks.reduce((t, [mark, literal]) => (t.includes(mark) ? t.split(mark).join(literal) : t), content));
  return tokens
    .map((line) => {
      let html = '';
      let open: string | undefined;
      for (const token of line) {
        const cls = token.color ? CLASSES[token.color.toLowerCase()] : undefined;
        const piece = text(token.content);
        // Whitespace keeps the open span: fewer tags for the same colours.
        if (cls === open || (open !== undefined && !piece.trim())) {
          html += piece;
          continue;
        }
        if (open) html += '</span>';
        open = cls;
        html += cls ? `<span class="${cls}">${piece}` : piece;
      }
      if (open) html += '</span>';
      return html;
    })
    .join('\n');
}
