// Escaping for the contexts other than text (script elements, server-rendered SVG), and tables:
// experiment and server strings are untrusted. Text is escaped by the html tag (html-template.ts).
import { html, joinHtml, raw, type Html, type HtmlValue } from './html-template.js';

/** JSON safe inside <script type="application/json">: no '<', '>' or '&' can end the element. */
function jsonForScript(value: unknown, dropNulls = false): string {
  return JSON.stringify(value, dropNulls ? (_key, v: unknown) => (v === null ? undefined : v) : undefined)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript source safe inside <script>: a literal "</script" would end the element early. */
function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Makes the ids of a server-rendered SVG unique in the page (vega numbers clip paths from 1 in each view). */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`);
}

/**
 * Shrinks a server-rendered SVG: it is the no-JavaScript fallback, so the per-mark ARIA labels
 * (the live chart has them) go, and coordinates keep one decimal (sub-pixel precision).
 * Only attribute values are touched, never text.
 */
export function compactSvg(svg: string): string {
  return svg
    // invisible per-group frames: no fill, no stroke (the visible view frame has a stroke)
    .replace(/<path class="background"( aria-hidden="true")? d="[^"]*"( pointer-events="none")?\/>/g, '')
    .replace(/<path class="foreground"( aria-hidden="true")? d=""( pointer-events="none")? display="none"\/>/g, '')
    .replace(/ (?:aria-label|aria-roledescription|role|aria-hidden)="[^"]*"/g, '')
    .replace(/="([^"]*)"/g, (_, value: string) => `="${value.replace(/(\d\.\d)\d+/g, '$1')}"`);
}

/** JSON for <script type="application/json">, as Html. */
export function jsonScript(value: unknown, dropNulls = false): Html {
  return raw(jsonForScript(value, dropNulls), "jsonForScript escapes '<', '>' and '&': the JSON cannot end its <script> element");
}

/** JavaScript for <script>, as Html. */
export function scriptText(source: string): Html {
  return raw(scriptSafe(source), 'scriptSafe escapes "</script" and "<!--": the source cannot end its <script> element');
}

/** A table: headers and cells escaped unless they are Html. */
export function table(headers: readonly HtmlValue[], rows: ReadonlyArray<readonly HtmlValue[]>, className = ''): Html {
  const head = headers.map((h) => html`<th>${h}</th>`);
  const body = joinHtml(rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell}</td>`)}</tr>`), '\n');
  return html`<table${className ? html` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
