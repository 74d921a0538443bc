import { describe, expect, it } from 'vitest';
import { renderMarkdown, summariseMarkdown } from '../../src/lib/docs/markdown.ts';

const HOSTILE = [
  'Hello <script>alert(1)</script> world',
  '[click me](javascript:alert(2)) and [data](data:text/html,<script>alert(3)</script>)',
  '<img src="x" onerror="alert(4)"> <a href="https://example.com" onclick="alert(5)">ok</a>',
  '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>',
  '<svg onload="alert(6)"><circle /></svg> <div style="background:url(javascript:alert(7))">x</div>',
  '[vb](vbscript:msgbox(8)) <a href="JaVaScRiPt:alert(9)">mixed case</a> <form action="/x"><input></form>',
].join('\n\n');

describe('Markdown from specs and guides', () => {
  it('renders hostile Markdown inert: no script, no handler, no javascript: URL', () => {
    const html = renderMarkdown(HOSTILE);
    expect(html).not.toMatch(/<script|<iframe|<style|<svg|<form|<input/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(html).toContain('world');
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>');
  });

  it('keeps ordinary Markdown: emphasis, code, tables, links', () => {
    const html = renderMarkdown('**Bold** `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[docs](/guides/getting-started/)');
    expect(html).toContain('<strong>Bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<table>');
    expect(html).toContain('<a href="/guides/getting-started/">docs</a>');
  });

  it('escapes plain text that takes the fast path', () => {
    expect(renderMarkdown('A shipment id, e.g. SHP-123')).toBe('<p>A shipment id, e.g. SHP-123</p>');
    expect(renderMarkdown('a < b').trim()).toBe('<p>a &lt; b</p>');
  });

  it('keeps a spec heading below the page headings', () => {
    expect(renderMarkdown('# Title\n\n## Part')).toBe('<h3>Title</h3>\n<h4>Part</h4>\n');
  });

  it('summarises to one plain sentence', () => {
    expect(summariseMarkdown('**Track** parcels <script>x</script>.\n\nMore.')).toBe('Track parcels .');
  });
});
