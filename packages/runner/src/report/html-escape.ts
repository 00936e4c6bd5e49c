import { defineLanguage, type Hole, type SafeText } from './safe-text.js';

/**
 * The one place the HTML report escapes: the `html` tagged template. Every
 * hole is escaped for text content and quoted attribute values (in HTML and
 * inline SVG alike) unless it is `SafeHtml`, which only `html` and
 * `joinHtml` make. Benchmark names, errors, warnings, device strings, and
 * numbers that a hostile file made strings all pass through here.
 */

/** Markup that is safe to put in the page as it is. */
export type SafeHtml = SafeText<'html'>;
/** What an `html` hole may hold. */
export type HtmlHole = Hole<'html'>;

/** Characters with a meaning in HTML text or in a quoted attribute value. */
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Attributes whose value is script, style or a document: escaping keeps a
 * value inside its quotes, but there, inside them is already too far.
 */
const SCRIPT_ATTRIBUTE = /\s(on[a-z]+|style|srcdoc)\s*=\s*["'][^"']*$/i;
/** URL attributes: a hole may only follow a `#` (an anchor in the page), never start a URL. */
const URL_ATTRIBUTE = /\s(href|src|action|formaction|xlink:href)\s*=\s*["'](?!#)[^"']*$/i;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Throws when a hole sits inside a tag but outside a quoted attribute value
 * (`<td ${x}>`, `class=${x}`, `<${x}>`), where an escaped value can still add
 * attributes, or inside a script, style or URL attribute. Reads the literal
 * parts only: holes are escaped (no quotes left) or whole fragments.
 */
function checkHtmlLiterals(literals: readonly string[]): void {
  let tag: string | null = null;
  let quote: string | null = null;
  literals.forEach((literal, i) => {
    for (const c of literal) {
      if (tag === null) {
        if (c === '<') tag = c;
        continue;
      }
      tag += c;
      if (quote !== null) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') tag = null;
    }
    if (i === literals.length - 1 || tag === null) return;
    if (quote === null || SCRIPT_ATTRIBUTE.test(tag) || URL_ATTRIBUTE.test(tag)) {
      throw new TypeError(
        `html template: hole ${i + 1} follows ${JSON.stringify(tag.slice(-40))}; holes belong in text or in a quoted, non-script, non-URL attribute value`,
      );
    }
    tag += 'x';
  });
}

const HTML = defineLanguage('html', escapeHtml, checkHtmlLiterals);

/** The HTML template: `html\`<td title="${text}">${text}</td>\``, every hole escaped. */
export const html = HTML.tag;

/** Fragments (or text, escaped) one after another with `separator` between them. */
export const joinHtml = HTML.join;
