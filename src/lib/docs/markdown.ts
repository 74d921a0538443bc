import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// One parser instance with GitHub-flavoured Markdown; raw HTML is allowed through marked and then
// stripped by the sanitiser, which is the single place that decides what may reach a page.
const marked = new Marked({ gfm: true, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'pre',
    'code',
    'kbd',
    'em',
    'strong',
    'del',
    's',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'sup',
    'sub',
    'details',
    'summary',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align'],
    td: ['align'],
    code: ['class'],
  },
  // javascript:, data: and vbscript: URLs are dropped; relative links stay.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Links from a spec lead elsewhere: never let them act on this page's window.
    a: (tagName, attribs) => ({ tagName, attribs: /^https?:/i.test(attribs.href ?? '') ? { ...attribs, rel: 'noopener noreferrer nofollow' } : attribs }),
    // A spec's headings must not break the page's outline: its h1/h2 become h3/h4.
    h1: 'h3',
    h2: 'h4',
    h3: 'h5',
    h4: 'h6',
    h5: 'h6',
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
};

const cache = new Map<string, string>();
const PLAIN = /^[^<>&*_`[\]#|~\\\n!]*$/;

/**
 * Markdown from a spec or a guide to HTML that is safe to inline: no scripts, handlers or
 * javascript: URLs. `rewriteHref` may change each link's target, or drop the link (null) and keep
 * its text.
 */
export function renderMarkdown(markdown: string | undefined, options: { rewriteHref?: (href: string) => string | null } = {}): string {
  if (!markdown) return '';
  if (options.rewriteHref) return sanitizeHtml(marked.parser(rewriteLinks(marked.lexer(markdown), options.rewriteHref)), SANITIZE);
  const hit = cache.get(markdown);
  if (hit !== undefined) return hit;
  // Large specs repeat the same short plain descriptions thousands of times: skip the parser for those.
  const html = PLAIN.test(markdown) ? `<p>${escapeHtml(markdown.trim())}</p>` : sanitizeHtml(marked.parse(markdown) as string, SANITIZE);
  if (cache.size > 50_000) cache.clear();
  cache.set(markdown, html);
  return html;
}

/** Rewrites (or unlinks) every link and image of a token list, in place. */
function rewriteLinks(tokens: ReturnType<typeof marked.lexer>, rewrite: (href: string) => string | null): ReturnType<typeof marked.lexer> {
  marked.walkTokens(tokens, (token) => {
    if (token.type !== 'link') return;
    const href = rewrite(token.href);
    if (href !== null) token.href = href;
    else Object.assign(token, { type: 'text', text: token.text, escaped: false });
  });
  return tokens;
}

/** The first sentence or line of Markdown as plain text, for cards and meta descriptions. */
export function summariseMarkdown(markdown: string | undefined, max = 200): string {
  if (!markdown) return '';
  const text = sanitizeHtml(marked.parse(markdown.split(/\n\s*\n/)[0] ?? '') as string, { allowedTags: [], allowedAttributes: {} })
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Escapes text for an HTML text node or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One line of Markdown (no paragraph), sanitised like `renderMarkdown`: for sentences Portico writes around spec values. */
export function renderInlineMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parseInline(markdown) as string, SANITIZE);
}
