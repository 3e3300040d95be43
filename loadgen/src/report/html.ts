// Escaping for everything that reaches the page: experiment and server strings are untrusted.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** JSON safe inside <script type="application/json">: no '<', '>' or '&' can end the element. */
export function jsonForScript(value: unknown, dropNulls = false): string {
  return JSON.stringify(value, dropNulls ? (_key, v: unknown) => (v === null ? undefined : v) : undefined)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JavaScript source safe inside <script>: a literal "</script" would end the element early. */
export function scriptSafe(source: string): string {
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

/** A table from rows of already-escaped cell HTML. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, className = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${escapeHtml(className)}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
