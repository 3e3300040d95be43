import { describe, expect, test } from 'vitest';
import { escapeHtml, html, Html, joinHtml, raw } from '../../src/report/html-template.js';
import { table } from '../../src/report/html.js';

const EVIL = `<img src=x onerror="alert('1')">&amp;`;
const ESCAPED = '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;';

describe('the html tag', () => {
  test('escapes the five characters of markup and quoted attributes, nothing else', () => {
    expect(escapeHtml(EVIL)).toBe(ESCAPED);
    expect(escapeHtml('σ → 1,234 µs – `x` = /y/')).toBe('σ → 1,234 µs – `x` = /y/');
    expect(escapeHtml(0.5)).toBe('0.5');
  });

  test('escapes every interpolated string and number; the template\'s own text is markup', () => {
    const out = html`<p title="${EVIL}">${EVIL} ${42} ${-1.5e-7}</p>`;
    expect(out).toBeInstanceOf(Html);
    expect(String(out)).toBe(`<p title="${ESCAPED}">${ESCAPED} 42 -1.5e-7</p>`);
  });

  test('Html passes as it is, arrays join with nothing, joinHtml with an escaped separator', () => {
    const item = (s: string) => html`<li>${s}</li>`;
    expect(String(html`<ul>${['a', '<b>'].map(item)}</ul>`)).toBe('<ul><li>a</li><li>&lt;b&gt;</li></ul>');
    expect(String(html`${[['x', html`<br>`], '&']}`)).toBe('x<br>&amp;');
    expect(String(joinHtml([item('a'), 'b<'], '\n'))).toBe('<li>a</li>\nb&lt;');
    expect(String(joinHtml(['a', 'b'], '<hr>'))).toBe('a&lt;hr&gt;b');
    expect(String(joinHtml(['a', 'b'], html`<hr>`))).toBe('a<hr>b');
    expect(String(html``)).toBe('');
  });

  test('raw is the one exception, and it says why', () => {
    expect(String(html`<style>${raw('a[title="x"] { }', 'a constant stylesheet')}</style>`)).toBe('<style>a[title="x"] { }</style>');
    expect(() => raw('<b>', ' ')).toThrow(/say why/);
  });

  test('Html is not made by new', () => {
    const make = Html as unknown as new (token: symbol, text: string) => Html;
    expect(() => new make(Symbol('trusted html'), '<script>')).toThrow(TypeError);
  });

  test('a table escapes its headers and text cells, not its Html cells', () => {
    expect(String(table(['a<', 'b'], [[EVIL, html`<em>1</em>`], [2, '']], 'x"y'))).toBe(
      `<table class="x&quot;y"><thead><tr><th>a&lt;</th><th>b</th></tr></thead><tbody>\n<tr><td>${ESCAPED}</td><td><em>1</em></td></tr>\n<tr><td>2</td><td></td></tr>\n</tbody></table>`,
    );
  });
});
