// HTML escaped by default (issue 23): every page is built with the `html` tag, which escapes every
// value it interpolates unless that value is already Html. Html comes only from `html` itself and
// from `raw(text, why)`, the one way to place text unescaped, which has to say why it is safe:
// `grep -rn '\braw(' loadgen/src` lists every exception.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** only this module makes Html: the constructor asks for this token */
const TRUSTED = Symbol('trusted html');

/** Markup that goes into a page as it is. */
export class Html {
  readonly #text: string;

  constructor(token: typeof TRUSTED, text: string) {
    if (token !== TRUSTED) throw new TypeError('Html is made by html`...` or raw(text, why), not by new');
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }
}

/**
 * What `html` interpolates: Html as it is; a string or a number escaped; an array of those
 * joined with nothing between them. No null, undefined or boolean: a missing value is written
 * out ('' or '–'), never printed as "undefined" or "false".
 */
export type HtmlValue = Html | string | number | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(value as string | number);
}

/** The tag: html`<td>${name}</td>` escapes `name` unless it is Html. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(TRUSTED, out);
}

/** Html from parts, `separator` (escaped, unless Html) between them. */
export function joinHtml(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  const sep = render(separator);
  return new Html(TRUSTED, parts.map(render).join(sep));
}

/**
 * The exception: `text` placed unescaped. `why` says what makes it safe (a constant stylesheet,
 * markup a renderer escaped, text escaped for another context); it is required and never empty.
 */
export function raw(text: string, why: string): Html {
  if (why.trim() === '') throw new TypeError('raw(text, why): say why the text is safe unescaped');
  return new Html(TRUSTED, text);
}
