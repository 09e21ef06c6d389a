/**
 * HTML built from a tagged template that escapes every interpolated value, so user input can
 * only ever become text. Only values that are already {@link SafeHtml} (the result of `html`)
 * are inserted as markup.
 */

/** A string of markup produced by {@link html}; safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Builds markup: the template's literal parts are kept, every value is escaped unless it is
 * `SafeHtml`, and arrays are joined (so `items.map((i) => html`...`)` nests).
 *
 * @example
 * ```ts
 * html`<p>Hello ${name}</p>`.value; // '<p>Hello &lt;b&gt;</p>' for name '<b>'
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}
